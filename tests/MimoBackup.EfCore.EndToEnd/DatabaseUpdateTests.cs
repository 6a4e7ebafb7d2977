namespace MimoBackup.EfCore.EndToEnd;

/// <summary>`dotnet ef database update` on the sample, through the packed package and the real dotnet-ef.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class DatabaseUpdateTests
{
    private const string FirstMigration = "Initial";
    private readonly SampleApp _app;
    private readonly ITestOutputHelper _log;

    public DatabaseUpdateTests(PackedPackage package, ITestOutputHelper log)
    {
        _log = log;
        _app = SharedApp.Get(package);
    }

    [Fact]
    public void Update_with_pending_migrations_takes_a_verified_backup_of_the_database_as_it_was()
    {
        var database = SeededAtFirstMigration("update");
        var engramsBefore = SampleApp.Scalar(database, "SELECT count(*) FROM Engrams");
        var fingerprint = SampleApp.Fingerprint(database);

        var update = Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();

        var backup = Assert.Single(SampleApp.Backups(database));
        Assert.Contains("Mimo: verified backup", update.Output, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(backup), update.Output, StringComparison.Ordinal);
        Assert.Contains("integrity_check ok", update.Output, StringComparison.Ordinal);
        Assert.Contains("dotnet msbuild -t:MimoRestore -p:MimoRestoreFrom=pre-migration_", update.Output, StringComparison.Ordinal);
        Assert.True(
            update.Output.IndexOf("Mimo: verified backup", StringComparison.Ordinal) < update.Output.IndexOf("Applying migration", StringComparison.Ordinal),
            "the backup line must come before the first migration is applied:\n" + update.Output);

        // The backup is the database as it was: same bytes of content, first migration only, every row.
        Assert.Equal([FirstMigration], SampleApp.AppliedMigrations(backup).Select(Name));
        Assert.Equal(engramsBefore, SampleApp.Scalar(backup, "SELECT count(*) FROM Engrams"));
        Assert.Contains("LegacyScore", SampleApp.Columns(backup, "Engrams"));
        var sidecar = SampleApp.Sidecar(backup);
        Assert.Equal("pre-migration", (string?)sidecar["kind"]);
        Assert.True((bool)sidecar["verification"]!["passed"]!);
        Assert.Equal(engramsBefore, (long)sidecar["tables"]!.AsArray().Single(t => (string?)t!["name"] == "Engrams")!["rows"]!);
        Assert.Equal(2, sidecar["migrations"]!["pending"]!.AsArray().Count);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(backup))), (string?)sidecar["sha256"]);
        Assert.NotEqual(fingerprint, SampleApp.Fingerprint(database));

        // After migrating, the dropped column with data in it is reported, in the output and the audit log.
        Assert.Contains("Engrams.LegacyScore vanished", update.Output, StringComparison.Ordinal);
        var audit = SampleApp.Audit(database);
        Assert.Equal(["backup", "rehearsal", "comparison", "prune"], audit.Select(e => (string?)e["event"]));
        var engrams = audit[2]["tables"]!.AsArray().Single(t => (string?)t!["table"] == "Engrams")!;
        Assert.Contains(engrams["columns"]!.AsArray(), c => (string?)c!["column"] == "LegacyScore" && (bool)c["vanished"]!);
    }

    [Fact]
    public void Update_with_nothing_pending_takes_no_backup()
    {
        var database = SeededAtFirstMigration("noop");
        Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();

        var again = Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();

        Assert.Contains("no migration to apply or revert", again.Output, StringComparison.Ordinal);
        Assert.Single(SampleApp.Backups(database));
    }

    [Fact]
    public void Update_of_a_missing_database_says_so_and_takes_no_backup()
    {
        var database = _app.NewDatabasePath("missing");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);

        var update = Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();

        Assert.Contains("does not exist yet; nothing to back up", update.Output, StringComparison.Ordinal);
        Assert.Empty(SampleApp.Backups(database));
    }

    [Fact]
    public void Update_to_an_earlier_migration_backs_up_before_reverting()
    {
        var database = SeededAtFirstMigration("down");
        Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();
        var engrams = SampleApp.Scalar(database, "SELECT count(*) FROM Engrams");

        var down = Ef(database, ["database", "update", FirstMigration, "--no-build"]).ShouldSucceed();

        var backup = SampleApp.Backups(database).Last();
        Assert.Contains("revert 2 migrations", down.Output, StringComparison.Ordinal);
        Assert.Equal(3, SampleApp.AppliedMigrations(backup).Length);
        Assert.Equal(engrams, SampleApp.Scalar(backup, "SELECT count(*) FROM Engrams"));
        Assert.Equal("down", (string?)SampleApp.Sidecar(backup)["migrations"]!["direction"]);
        Assert.Single(SampleApp.AppliedMigrations(database));
    }

    [Fact]
    public void Update_into_an_unwritable_backup_folder_fails_before_any_migration_runs()
    {
        var database = SeededAtFirstMigration("unwritable");
        var blocker = Path.Combine(Path.GetDirectoryName(database)!, "not-a-folder");
        File.WriteAllText(blocker, "a file where the backup folder should be");
        var fingerprint = SampleApp.Fingerprint(database);

        var update = Ef(database, ["database", "update", "--no-build"], new() { ["MimoBackupDir"] = blocker }).ShouldFail();

        Assert.Contains("MIMO101", update.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Applying migration", update.Output, StringComparison.Ordinal);
        Assert.Single(SampleApp.AppliedMigrations(database));
        Assert.Equal(fingerprint, SampleApp.Fingerprint(database));
    }

    [Fact]
    public void Update_with_an_invalid_setting_names_it_and_migrates_nothing()
    {
        var database = SeededAtFirstMigration("invalid");

        var update = Ef(database, ["database", "update", "--no-build"], new() { ["MimoVerify"] = "fast" }).ShouldFail();

        Assert.Contains("MIMO001", update.Output, StringComparison.Ordinal);
        Assert.Contains("MimoVerify", update.Output, StringComparison.Ordinal);
        Assert.Single(SampleApp.AppliedMigrations(database));
        Assert.Empty(SampleApp.Backups(database));
    }

    [Fact]
    public void Update_with_MimoBackupEnabled_false_migrates_without_backup_on_the_record()
    {
        var database = SeededAtFirstMigration("disabled");

        var update = Ef(database, ["database", "update", "--no-build"], new() { ["MimoBackupEnabled"] = "false" }).ShouldSucceed();

        Assert.Contains("backups are off", update.Output, StringComparison.Ordinal);
        Assert.Empty(SampleApp.Backups(database));
        Assert.Equal(3, SampleApp.AppliedMigrations(database).Length);
        Assert.Equal("disabled", (string?)Assert.Single(SampleApp.Audit(database))["event"]);
    }

    private string SeededAtFirstMigration(string name)
    {
        var database = _app.NewDatabasePath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Ef(database, ["database", "update", FirstMigration, "--no-build"]).ShouldSucceed();
        _app.Run(database, "seed", "40").ShouldSucceed();
        Assert.Empty(SampleApp.Backups(database));
        return database;
    }

    private ProcessResult Ef(string database, IEnumerable<string> arguments, Dictionary<string, string?>? environment = null)
    {
        var result = _app.Ef(database, arguments, environment);
        _log.WriteLine(result.Output);
        return result;
    }

    private static string Name(string migrationId) => migrationId[(migrationId.IndexOf('_', StringComparison.Ordinal) + 1)..];
}

/// <summary>One built copy of the sample shared by the tests that do not change its build.</summary>
internal static class SharedApp
{
    private static SampleApp? _app;

    public static SampleApp Get(PackedPackage package)
    {
        if (_app is null || _app.Package != package)
        {
            _app = SampleApp.Create(package, "shared");
            _app.Build();
        }

        return _app;
    }
}
