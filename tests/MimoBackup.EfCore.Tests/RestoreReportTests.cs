using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>What a restore says: each fact once, true for the database it met, and what to do next.</summary>
public sealed class RestoreReportTests : IDisposable
{
    private static readonly string[] AppMigrations = ["20260101000000_A", "20260102000000_B", "20260103000000_C", "20260104000000_D"];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private CommandTarget Target(IReadOnlyList<string>? applied = null)
        => CommandTarget.ForFile(Database, new MimoSettings()) with { BusyTimeout = TimeSpan.FromSeconds(5), Applied = applied, Pending = applied is null ? null : [] };

    private static MimoExitCode Run(string verb, CommandTarget target, RecordingOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(verb, target, new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)), output, TimeProvider.System, CancellationToken.None);

    private static void WithHistory(string database, IEnumerable<string> migrations)
    {
        using var connection = TempFolder.Open(database);
        TempFolder.Execute(connection, "CREATE TABLE \"__EFMigrationsHistory\" (MigrationId TEXT PRIMARY KEY, ProductVersion TEXT NOT NULL)");
        foreach (var id in migrations)
        {
            TempFolder.Execute(connection, $"INSERT INTO \"__EFMigrationsHistory\" VALUES ('{id}', '10.0.15')");
        }
    }

    [Fact]
    public void Restore_into_a_missing_database_does_not_claim_to_keep_content_and_says_there_was_none_once()
    {
        var source = _temp.File("known-good.db");
        TempFolder.CreateNotes(source, rows: 1);
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("restore", Target(), output, ("RestoreFrom", source)));

        Assert.DoesNotContain(output.Lines, l => l.Contains("current content is kept", StringComparison.Ordinal));
        Assert.Single(output.Lines, l => l.Contains("no previous content", StringComparison.Ordinal));
        Assert.Single(output.Lines, l => l.Contains("restored", StringComparison.Ordinal) && l.Contains("4 rows", StringComparison.Ordinal));
        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
    }

    [Fact]
    public void Restore_over_a_database_with_content_says_it_is_kept()
    {
        TempFolder.CreateNotes(Database, rows: 5);
        var source = _temp.File("known-good.db");
        TempFolder.CreateNotes(source, rows: 1);
        var output = new RecordingOutput();

        Run("restore", Target(), output, ("RestoreFrom", source));

        Assert.Single(output.Lines, l => l.Contains("current content is kept", StringComparison.Ordinal));
        Assert.DoesNotContain(output.Lines, l => l.Contains("no previous content", StringComparison.Ordinal));
        Assert.Single(output.Lines, l => l.Contains("To undo:", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_of_a_backup_three_migrations_behind_the_app_warns_and_names_dotnet_ef_database_update()
    {
        TempFolder.CreateNotes(Database, rows: 5);
        WithHistory(Database, AppMigrations);
        var old = _temp.File("old.db");
        TempFolder.CreateNotes(old, rows: 2);
        WithHistory(old, AppMigrations.Take(1));
        var output = new RecordingOutput();

        Run("restore", Target(AppMigrations), output, ("RestoreFrom", old));

        var warning = Assert.Single(output.Warnings, w => w.Contains("behind the app", StringComparison.Ordinal));
        Assert.Contains("3 migrations behind", warning, StringComparison.Ordinal);
        Assert.Contains("20260102000000_B", warning, StringComparison.Ordinal);
        Assert.Contains("dotnet ef database update", warning, StringComparison.Ordinal);

        var current = new RecordingOutput();
        Run("restore", Target(AppMigrations), current, ("RestoreFrom", Assert.Single(Directory.GetFiles(_temp.File("backups"), "pre-restore_*.db"))));
        Assert.DoesNotContain(current.Warnings, w => w.Contains("behind the app", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_without_a_source_names_MimoRestoreFrom_and_suggests_no_other_command()
    {
        var error = Assert.Throws<MimoBackupException>(() => Run("restore", Target(), new RecordingOutput()));

        Assert.Equal("MIMO209", error.Code);
        Assert.Contains("MimoRestoreFrom", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-t:MimoBackup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_dry_run_of_one_day_and_one_month_is_singular()
    {
        TempFolder.CreateNotes(Database, rows: 1);
        var output = new RecordingOutput();
        var target = Target() with { Settings = new MimoSettings { RetentionDays = 1, RetentionMonths = 1 } };
        Run("backup", target, new RecordingOutput());

        Run("prune", target, output, ("DryRun", "true"));

        Assert.Contains(output.Lines, l => l.Contains("every backup for 1 day (", StringComparison.Ordinal) && l.Contains("for 1 month (", StringComparison.Ordinal));
    }
}
