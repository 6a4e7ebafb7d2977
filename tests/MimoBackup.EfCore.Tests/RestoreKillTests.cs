using System.Diagnostics;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// A restore killed with SIGKILL at random moments, in a real process (the runner, as the MSBuild target starts
/// it): the database must always pass the integrity check and hold the old or the restored content, never a mix.
/// </summary>
public sealed class RestoreKillTests(ITestOutputHelper log) : IDisposable
{
    private const int OldRows = 60_000;
    private const int NewRows = 90_000;
    private const int Trials = 24;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Restore_killed_at_random_moments_leaves_old_or_new_content_never_a_mix()
    {
        var pristine = _temp.File("pristine.db");
        Fill(pristine, OldRows, "old");
        var source = _temp.File("source.db");
        Fill(source, NewRows, "new");
        var backup = BackupWriter.Take(TempFolder.Request(source, _temp.File("source-backups")), CancellationToken.None);

        // One uninterrupted run says how long a restore takes. Its first half is process start-up and the checks;
        // the kills land across the second half, where the pre-restore backup and the copy into the database run.
        var full = RunTrial(0, pristine, backup.Path, killAfter: null);
        Assert.Equal("new", full.Content);
        log.WriteLine($"an uninterrupted restore took {full.Duration.TotalMilliseconds:0} ms");
        var random = new Random(20261126);
        var outcomes = new List<Trial>();
        for (var i = 1; i <= Trials; i++)
        {
            var delay = TimeSpan.FromMilliseconds(full.Duration.TotalMilliseconds * (0.45 + (0.65 * random.NextDouble())));
            outcomes.Add(RunTrial(i, pristine, backup.Path, delay));
        }

        foreach (var outcome in outcomes)
        {
            log.WriteLine($"trial {outcome.Number,2}: {(outcome.Killed ? "killed" : "finished")} after {outcome.Duration.TotalMilliseconds,5:0} ms, {outcome.Journal,-6} -> {outcome.Content}");
        }

        Assert.All(outcomes, o => Assert.Contains(o.Content, new[] { "old", "new" }));
        Assert.Contains(outcomes, o => o.Killed);
    }

    private Trial RunTrial(int number, string pristine, string backup, TimeSpan? killAfter)
    {
        var folder = _temp.File("trial-" + number);
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "app.db");
        File.Copy(pristine, database);
        var journal = number % 2 == 0 ? "wal" : "delete";
        using (var connection = TempFolder.Open(database))
        {
            TempFolder.Execute(connection, $"PRAGMA journal_mode = {journal}");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { RunnerPath, "restore", "--database", database, "--option", "RestoreFrom=" + backup })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var killed = false;
        if (killAfter is { } delay && !process.WaitForExit(delay))
        {
            process.Kill(entireProcessTree: true); // SIGKILL: no finally block, no Dispose runs.
            killed = true;
        }

        process.WaitForExit();
        var duration = clock.Elapsed;
        if (!killed)
        {
            Assert.True(process.ExitCode == 0, $"the restore failed: {output.Result}{process.StandardError.ReadToEnd()}");
        }

        return new Trial(number, killed, duration, journal, ContentOf(database));
    }

    /// <summary>"old" or "new" when the database is intact and wholly one of them; anything else describes the damage.</summary>
    private static string ContentOf(string database)
    {
        // Read-write, as the app opens it: recovering from a hot journal or a WAL after a kill needs to write.
        using var connection = TempFolder.Open(database);
        var integrity = connection.ExecuteScalarString("PRAGMA integrity_check");
        if (integrity != "ok")
        {
            return "corrupt: " + integrity;
        }

        var marker = connection.ExecuteScalarString("SELECT count(*) FROM Marker WHERE Value = 'new'") == "1" ? "new" : "old";
        var rows = long.Parse(connection.ExecuteScalarString("SELECT count(*) FROM Notes"), System.Globalization.CultureInfo.InvariantCulture);
        var tagged = long.Parse(connection.ExecuteScalarString($"SELECT count(*) FROM Notes WHERE Body LIKE '{marker}%'"), System.Globalization.CultureInfo.InvariantCulture);
        var expected = marker == "new" ? NewRows : OldRows;
        return rows == expected && tagged == expected ? marker : $"mixed: marker {marker}, {rows} rows, {tagged} tagged";
    }

    private static void Fill(string database, int rows, string marker)
    {
        using var connection = TempFolder.Open(database);
        TempFolder.Execute(connection, $"""
            CREATE TABLE Marker (Value TEXT NOT NULL);
            INSERT INTO Marker VALUES ('{marker}');
            CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT NOT NULL);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
            INSERT INTO Notes (Body) SELECT '{marker} ' || hex(randomblob(60)) FROM n;
            """);
    }

    /// <summary>The runner built beside this test project, in the same configuration.</summary>
    private static string RunnerPath
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = output.Name;
            var configuration = output.Parent!.Name;
            var root = output;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "MimoBackup.EfCore.sln")))
            {
                root = root.Parent;
            }

            var runner = Path.Combine(root!.FullName, "src", "MimoBackup.EfCore.Runner", "bin", configuration, framework, "MimoBackup.EfCore.Runner.dll");
            Assert.True(File.Exists(runner), $"{runner} is missing: build the solution first.");
            return runner;
        }
    }

    private sealed record Trial(int Number, bool Killed, TimeSpan Duration, string Journal, string Content);
}
