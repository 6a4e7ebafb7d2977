using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary><c>verify --restore-test</c> (<c>-p:MimoRestoreTest=true</c>) on real files: a restore drill into a temporary database.</summary>
public sealed class RestoreDrillTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public RestoreDrillTests()
    {
        TempFolder.CreateNotes(Database, rows: 500);
        using var connection = TempFolder.Open(Database);
        TempFolder.Execute(connection, """
            CREATE TABLE __EFMigrationsHistory (MigrationId TEXT PRIMARY KEY, ProductVersion TEXT NOT NULL);
            INSERT INTO __EFMigrationsHistory VALUES ('20260101000000_Initial', '10.0.15'), ('20260201000000_AddScore', '10.0.15');
            """);
    }

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    /// <summary>A target whose app has <paramref name="migrations"/>, the first two applied.</summary>
    private CommandTarget Target(params string[] migrations)
        => CommandTarget.ForFile(Database, new MimoSettings()) with { BusyTimeout = TimeSpan.FromSeconds(5), Applied = migrations[..2], Pending = migrations[2..] };

    private static MimoExitCode Run(string verb, CommandTarget target, RecordingOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(verb, target, new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)), output, TimeProvider.System, CancellationToken.None);

    [Fact]
    public void A_drill_restores_the_newest_verified_backup_into_a_temporary_database_checks_it_and_records_it()
    {
        var target = Target("20260101000000_Initial", "20260201000000_AddScore", "20260301000000_AddTags");
        Assert.Equal(MimoExitCode.Done, Run("backup", target, new RecordingOutput()));
        var output = new RecordingOutput();

        var code = Run("verify", target, output, ("RestoreTest", "true"));

        Assert.Equal(MimoExitCode.Done, code);
        var line = Assert.Single(output.Information, l => l.StartsWith("Mimo: ok", StringComparison.Ordinal));
        Assert.Contains("integrity_check ok", line, StringComparison.Ordinal);
        Assert.Contains("migration history 2 of the app's 3 (a prefix", line, StringComparison.Ordinal);
        var audit = new AuditLog(Backups).Read().Last();
        Assert.Equal("verify", (string?)audit["event"]);
        Assert.True((bool)audit["restoreTest"]!);
        Assert.Equal(0, (int)audit["failed"]!);

        // Nothing of the drill is left behind, and the live database was not touched.
        Assert.Equal(2, Directory.GetFiles(Backups).Count(f => f.EndsWith(".db", StringComparison.Ordinal) || f.EndsWith(".meta.json", StringComparison.Ordinal)));
        Assert.DoesNotContain(Directory.GetFiles(Backups), f => f.Contains("restore-test", StringComparison.Ordinal));
    }

    [Fact]
    public void A_backup_whose_history_the_app_does_not_have_fails_the_drill_with_exit_4_and_is_then_listed_as_failed()
    {
        Assert.Equal(MimoExitCode.Done, Run("backup", Target("20260101000000_Initial", "20260201000000_AddScore", "20260301000000_AddTags"), new RecordingOutput()));

        // The app now has another history: its second migration was renamed.
        var renamed = Target("20260101000000_Initial", "20260215000000_AddScoreAgain", "20260301000000_AddTags");
        var output = new RecordingOutput();
        var code = Run("verify", renamed, output, ("RestoreTest", "true"));

        Assert.Equal(MimoExitCode.VerificationFailed, code);
        var error = Assert.Single(output.Errors);
        Assert.Equal("MIMO206", error.Error.Code);
        Assert.Contains("20260201000000_AddScore, which the app does not have", error.Message, StringComparison.Ordinal);
        var list = new RecordingOutput();
        Run("list", renamed, list);
        Assert.Contains(list.Information, l => l.Contains("FAILED MimoBackupVerify", StringComparison.Ordinal));
    }

    [Fact]
    public void A_damaged_backup_fails_the_drill_before_anything_is_restored()
    {
        var target = Target("20260101000000_Initial", "20260201000000_AddScore", "20260301000000_AddTags");
        Assert.Equal(MimoExitCode.Done, Run("backup", target, new RecordingOutput()));
        var backup = Directory.GetFiles(Backups, "*.db").Single();
        using (var file = File.Open(backup, FileMode.Open))
        {
            file.Position = file.Length - 100;
            file.WriteByte(0x5a);
        }

        var output = new RecordingOutput();
        var code = Run("verify", target, output, ("RestoreTest", "true"), ("BackupName", Path.GetFileNameWithoutExtension(backup)));

        Assert.Equal(MimoExitCode.VerificationFailed, code);
        Assert.Contains("the backup itself", Assert.Single(output.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_drill_without_any_verified_backup_is_MIMO202()
    {
        var error = Assert.Throws<MimoBackupException>(() => Run("verify", Target("a", "b"), new RecordingOutput(), ("RestoreTest", "true")));

        Assert.Equal("MIMO202", error.Error.Code);
    }
}

/// <summary><c>-p:MimoOutput=json</c> on status and verify: one JSON document with the facts their lines say.</summary>
public sealed class StatusAndVerifyJsonTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public StatusAndVerifyJsonTests() => TempFolder.CreateNotes(Database, rows: 30);

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private CommandTarget Target => CommandTarget.ForFile(Database, new MimoSettings()) with { BusyTimeout = TimeSpan.FromSeconds(5), Applied = ["20260101000000_Initial"], Pending = ["20260201000000_Next"] };

    private MimoExitCode Run(string verb, RecordingOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(verb, Target, new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)), output, TimeProvider.System, CancellationToken.None);

    [Fact]
    public void Status_as_json_is_one_document_with_the_database_migrations_backups_and_warnings()
    {
        var none = new RecordingOutput();
        Run("status", none, ("Output", "json"));
        var before = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(none.Information))!;
        Assert.Empty(none.Warnings);
        Assert.Null(before["backups"]!["newestVerified"]);
        Assert.Contains("no verified backup", (string?)before["warnings"]![0], StringComparison.Ordinal);

        Run("backup", new RecordingOutput());
        var output = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("status", output, ("Output", "json")));

        var status = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(output.Information))!;
        Assert.Equal(Database, (string?)status["database"]);
        Assert.Equal(30 + 3, (long)status["rows"]!);
        Assert.Equal("20260201000000_Next", (string?)status["migrations"]!["pending"]![0]);
        Assert.StartsWith("backup_", (string?)status["backups"]!["newestVerified"]!["name"], StringComparison.Ordinal);
        Assert.Empty(status["warnings"]!.AsArray());
    }

    [Fact]
    public void Verify_as_json_prints_only_its_results_and_a_failure_is_still_an_error_with_exit_4()
    {
        Run("backup", new RecordingOutput());
        var backup = Directory.GetFiles(_temp.File("backups"), "*.db").Single();
        var ok = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("verify", ok, ("Output", "json")));
        var passed = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(ok.Information))!;
        Assert.True((bool)passed["results"]![0]!["passed"]!);

        using (var file = File.Open(backup, FileMode.Open))
        {
            file.Position = file.Length - 10;
            file.WriteByte(0x5a);
        }

        var bad = new RecordingOutput();
        Assert.Equal(MimoExitCode.VerificationFailed, Run("verify", bad, ("Output", "json")));
        var failed = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(bad.Information))!;
        Assert.Equal(1, (int)failed["failed"]!);
        Assert.Equal("MIMO206", Assert.Single(bad.Errors).Error.Code);
    }
}
