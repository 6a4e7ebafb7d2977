using Microsoft.Data.Sqlite;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// What the tool's progress bar is drawn from: each long step of a command on a real database of about 40 MiB (ten
/// backup steps) reports how far it is, in order, up to its total; and only an output that asks for progress gets any.
/// </summary>
public sealed class WorkProgressTests : IDisposable
{
    private const int Rows = 20_000;
    private readonly TempFolder _temp = new();

    public WorkProgressTests()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body BLOB, Title TEXT);"
            + $"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {Rows}) INSERT INTO Notes SELECT x, randomblob(2000), 'note ' || x FROM n;";
        command.ExecuteNonQuery();
    }

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private MimoExitCode Run(string verb, ICommandOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(
            verb,
            CommandTarget.ForFile(Database, new MimoSettings()) with { BusyTimeout = TimeSpan.FromSeconds(5) },
            new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)),
            output,
            TimeProvider.System,
            CancellationToken.None);

    [Fact]
    public void Backup_verify_export_import_and_restore_report_their_steps_up_to_their_totals()
    {
        var size = new FileInfo(Database).Length;
        var export = _temp.File("notes.json");
        var output = new ProgressRecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("backup", output, ("BackupName", "first")));
        Assert.Equal(MimoExitCode.Done, Run("verify", output));
        Assert.Equal(MimoExitCode.Done, Run("export", output, ("ExportFile", export)));
        Assert.Equal(MimoExitCode.Done, Run("import", output, ("ImportFile", export)));
        var first = Path.GetFileName(Directory.GetFiles(Path.Combine(_temp.Path, "backups"), "first_*.db").Single());
        Assert.Equal(MimoExitCode.Done, Run("restore", output, ("RestoreFrom", first)));

        var copy = output.Of("backing up app.db");
        Assert.True(copy.Count >= 30, $"three 40 MiB copies went in {copy.Count} steps");
        Assert.Equal(size, copy[0].Total);
        Assert.Equal(3, AssertClimbsToItsTotal(copy)); // the backup, the pre-import and the pre-restore backup

        // The backup's own check names the backup, not its temporary file; verify and the restore check it again.
        Assert.Equal(3, AssertClimbsToItsTotal(output.Of("verifying " + first)));
        Assert.Contains(output.Reports, r => r.Activity == $"verifying {first} (integrity check)" && r.Total == 0);

        var exported = output.Of("exporting app.db");
        Assert.All(exported, r => Assert.Equal(WorkUnit.Rows, r.Unit));
        Assert.Equal((long)Rows, exported[^1].Total);
        AssertClimbsToItsTotal(exported);
        var imported = output.Of("importing notes.json");
        Assert.Equal((long)Rows, imported[^1].Total);
        AssertClimbsToItsTotal(imported);

        AssertClimbsToItsTotal(output.Of("restoring app.db"));
        Assert.Equal(Rows, Count(Database));
    }

    [Fact]
    public void A_command_whose_output_draws_no_progress_reports_none_even_inside_one_that_does()
    {
        var output = new RecordingOutput();
        var outer = new ProgressRecordingOutput();

        // The MSBuild targets' output is a log: a command printing there reports nowhere, whatever ran around it.
        using (WorkProgress.Use(outer))
        {
            Assert.Equal(MimoExitCode.Done, Run("backup", output));
            WorkProgress.Report("after the command", 1, 1);
        }

        Assert.Equal("after the command", Assert.Single(outer.Reports).Activity);
        Assert.Contains(output.Information, l => l.Contains("verified backup", StringComparison.Ordinal));
        var backup = Directory.GetFiles(Path.Combine(_temp.Path, "backups"), "*.db").Single();
        Assert.Equal(Rows, Count(backup));
    }

    [Fact]
    public void Writes_between_the_backups_steps_never_reach_the_backup_and_never_restart_it()
    {
        using var writer = new SqliteConnection($"Data Source={Database};Pooling=False");
        writer.Open();
        var writes = 0;
        var output = new ProgressRecordingOutput
        {
            // The app writes between every two steps of the copy; the backup must be the database as it was when it began.
            OnReport = step =>
            {
                if (step.Activity == "backing up app.db" && step.Done < step.Total)
                {
                    using var insert = writer.CreateCommand();
                    insert.CommandText = "INSERT INTO Notes (Body, Title) VALUES (randomblob(5000), 'written during the backup')";
                    insert.ExecuteNonQuery();
                    writes++;
                }
            },
        };

        Assert.Equal(MimoExitCode.Done, Run("backup", output));

        Assert.True(writes >= 9, $"only {writes} writes went in between steps");
        var backup = Directory.GetFiles(Path.Combine(_temp.Path, "backups"), "*.db").Single();
        Assert.Equal(Rows, Count(backup));
        Assert.Equal(Rows + writes, Count(Database));
        Assert.Equal(1, AssertClimbsToItsTotal(output.Of("backing up app.db")));
    }

    [Fact]
    public void Readers_of_the_live_database_see_the_old_content_until_the_restores_last_step()
    {
        var output = new ProgressRecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("backup", output, ("BackupName", "full")));
        var full = Path.GetFileName(Directory.GetFiles(Path.Combine(_temp.Path, "backups"), "full_*.db").Single());
        using (var shrink = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            shrink.Open();
            using var delete = shrink.CreateCommand();
            delete.CommandText = "DELETE FROM Notes WHERE Id > 10";
            delete.ExecuteNonQuery();
        }

        var seen = new List<long>();
        var restoring = new ProgressRecordingOutput
        {
            OnReport = step =>
            {
                if (step.Activity == "restoring app.db" && step.Done < step.Total)
                {
                    seen.Add(Count(Database));
                }
            },
        };

        Assert.Equal(MimoExitCode.Done, Run("restore", restoring, ("RestoreFrom", full)));

        Assert.True(seen.Count >= 9, $"only {seen.Count} reads went in between steps");
        Assert.All(seen, count => Assert.Equal(10, count));
        Assert.Equal(Rows, Count(Database));
    }

    [Fact]
    public void An_import_of_a_whole_number_of_4096_row_batches_reaches_its_total()
    {
        using (var trim = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            trim.Open();
            using var delete = trim.CreateCommand();
            delete.CommandText = "DELETE FROM Notes WHERE Id > 8192";
            delete.ExecuteNonQuery();
        }

        var export = _temp.File("notes.json");
        var output = new ProgressRecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("export", output, ("ExportFile", export)));
        Assert.Equal(MimoExitCode.Done, Run("import", output, ("ImportFile", export)));

        Assert.Equal(new ProgressRecordingOutput.Step("exporting app.db", 8192, 8192, WorkUnit.Rows), output.Of("exporting app.db")[^1]);
        Assert.Equal(new ProgressRecordingOutput.Step("importing notes.json", 8192, 8192, WorkUnit.Rows), output.Of("importing notes.json")[^1]);
    }

    [Fact]
    public void A_progress_sink_that_fails_never_fails_the_backup()
    {
        var output = new ProgressRecordingOutput { OnReport = _ => throw new IOException("the terminal went away") };

        Assert.Equal(MimoExitCode.Done, Run("backup", output));

        Assert.Single(output.Reports); // after its first failure the sink hears nothing more
        Assert.Equal(Rows, Count(Directory.GetFiles(Path.Combine(_temp.Path, "backups"), "*.db").Single()));
    }

    /// <summary>Each run of the activity (a new one starts where the count goes back) climbs to its total; returns how many ran.</summary>
    private static int AssertClimbsToItsTotal(IReadOnlyList<ProgressRecordingOutput.Step> steps)
    {
        Assert.NotEmpty(steps);
        var runs = 1;
        for (var i = 1; i < steps.Count; i++)
        {
            if (steps[i].Done < steps[i - 1].Done)
            {
                Assert.Equal(steps[i - 1].Total, steps[i - 1].Done);
                runs++;
            }
        }

        Assert.True(steps[^1].Total > 0);
        Assert.Equal(steps[^1].Total, steps[^1].Done);
        return runs;
    }

    private static long Count(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM Notes";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A command output that, like the tool's, asks for progress, and keeps every report.</summary>
    private sealed class ProgressRecordingOutput : ICommandOutput, IWorkProgress
    {
        public sealed record Step(string Activity, long Done, long Total, WorkUnit Unit);

        private readonly Lock _lock = new();

        public List<Step> Reports { get; } = [];

        /// <summary>What happens on the engine's thread at each report: another connection's write, a read, a failure.</summary>
        public Action<Step>? OnReport { get; init; }

        public IReadOnlyList<Step> Of(string activity)
        {
            lock (_lock)
            {
                return [.. Reports.Where(r => r.Activity == activity)];
            }
        }

        public void Report(string activity, long done, long total, WorkUnit unit)
        {
            var step = new Step(activity, done, total, unit);
            lock (_lock)
            {
                Reports.Add(step);
            }

            OnReport?.Invoke(step);
        }

        void IMimoOutput.Information(Microsoft.Extensions.Logging.EventId id, string line)
        {
        }

        void IMimoOutput.Warning(Microsoft.Extensions.Logging.EventId id, string line)
        {
        }

        void ICommandOutput.Error(MimoBackupException error) => throw error;
    }
}
