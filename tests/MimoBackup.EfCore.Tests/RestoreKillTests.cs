using System.Diagnostics;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// A restore killed with SIGKILL at random moments, in a real process (the runner, as the MSBuild target starts
/// it): the database must always pass the integrity check and hold the old or the restored content, never a mix.
/// </summary>
[Collection(Name)]
public sealed class RestoreKillTests(ITestOutputHelper log) : IDisposable
{
    private const int OldRows = 100_000;
    private const int NewRows = 150_000;
    private const int Trials = 30;

    /// <summary>Runs alone: its kills are timed from one uninterrupted run, which other tests' load would skew.</summary>
    public const string Name = "restore kills";

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

        // One uninterrupted run measures the copy: from the runner's "copying" line to its exit (the copy, the row
        // count check and the report).
        // The median of three, so that one run slowed by other work on the machine does not skew every kill.
        var uninterrupted = Enumerable.Range(0, 3).Select(i => RunTrial(-i, pristine, backup.Path, killAfterCopyStarts: null)).ToList();
        Assert.All(uninterrupted, u => Assert.Equal("new", u.Content));
        var full = uninterrupted.OrderBy(u => u.Duration).ElementAt(1);
        log.WriteLine($"an uninterrupted restore copied for {full.Duration.TotalMilliseconds:0} ms (median of 3)");

        // Half the kills land anywhere in the run (start-up, checks, pre-restore backup); half while the live
        // database is being written, which is where a torn restore could happen.
        var random = new Random(20261126);
        var outcomes = new List<Trial>();
        for (var i = 1; i <= Trials; i++)
        {
            outcomes.Add(i % 2 == 0
                ? RunTrial(i, pristine, backup.Path, killAfterCopyStarts: TimeSpan.FromMilliseconds(random.NextDouble() * full.Duration.TotalMilliseconds * 0.35))
                : RunTrial(i, pristine, backup.Path, killAfterCopyStarts: null, killAfterStart: TimeSpan.FromMilliseconds(random.NextDouble() * 600)));
        }

        foreach (var outcome in outcomes)
        {
            log.WriteLine($"trial {outcome.Number,2}: {outcome.Moment,-34} {outcome.Journal,-6} -> {outcome.Content}");
        }

        Assert.All(outcomes, o => Assert.Contains(o.Content, new[] { "old", "new" }));
        Assert.True(outcomes.Count(o => o.KilledWhileCopying) >= 5, "too few kills landed while the database was being written");
    }

    private Trial RunTrial(int number, string pristine, string backup, TimeSpan? killAfterCopyStarts, TimeSpan? killAfterStart = null)
    {
        var folder = _temp.File("trial-" + number);
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "app.db");
        File.Copy(pristine, database);
        var journal = number % 4 < 2 ? "wal" : "delete";
        using (var connection = TempFolder.Open(database))
        {
            TempFolder.Execute(connection, $"PRAGMA journal_mode = {journal}");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { RunnerPath, "restore", "--database", database, "--option", "RestoreFrom=" + backup })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var copying = new TaskCompletionSource<Stopwatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        var text = new System.Text.StringBuilder();

        // A thread of its own: the moment the runner says it is copying must be seen at once, not when the pool
        // gets round to it.
        var reader = new Thread(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                text.AppendLine(line);
                if (line.Contains("copying it into", StringComparison.Ordinal))
                {
                    copying.TrySetResult(Stopwatch.StartNew());
                }
            }

            copying.TrySetResult(Stopwatch.StartNew());
        })
        { IsBackground = true };
        reader.Start();

        string moment;
        var killedWhileCopying = false;
        if (killAfterCopyStarts is { } delay)
        {
            var since = copying.Task.Result;
            while (since.Elapsed < delay && !process.HasExited)
            {
                Thread.SpinWait(1000);
            }

            killedWhileCopying = !process.HasExited;
            moment = killedWhileCopying ? $"killed {since.Elapsed.TotalMilliseconds:0} ms into the copy" : "finished before the kill";
            Kill(process);
        }
        else if (killAfterStart is { } early)
        {
            var exited = process.WaitForExit(early);
            moment = exited ? "finished before the kill" : copying.Task.IsCompleted ? $"killed after {early.TotalMilliseconds:0} ms, copying" : $"killed after {early.TotalMilliseconds:0} ms";
            Kill(process);
        }
        else
        {
            var since = copying.Task.Result;
            process.WaitForExit();
            reader.Join();
            Assert.True(process.ExitCode == 0, $"the restore failed: {text}{errors.Result}");
            return new Trial(number, false, since.Elapsed, "finished", journal, ContentOf(database));
        }

        process.WaitForExit();
        return new Trial(number, killedWhileCopying, TimeSpan.Zero, moment, journal, ContentOf(database));
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true); // SIGKILL: no finally block, no Dispose runs.
        }
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
    internal static string RunnerPath
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

    private sealed record Trial(int Number, bool KilledWhileCopying, TimeSpan Duration, string Moment, string Journal, string Content);
}

[CollectionDefinition(RestoreKillTests.Name, DisableParallelization = true)]
public sealed class RestoreKillCollection;
