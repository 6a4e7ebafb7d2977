using System.Diagnostics;
using System.Security.Cryptography;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>The verified backup on real files: WAL, other processes, corruption, full disks, locks.</summary>
public sealed class BackupWriterTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private string[] LeftOvers() => Directory.Exists(Backups) ? Directory.GetFiles(Backups).Where(f => !f.EndsWith(AuditLog.FileName, StringComparison.Ordinal) && !f.EndsWith(".gitignore", StringComparison.Ordinal)).ToArray() : [];

    [Fact]
    public void Take_wal_database_includes_rows_that_live_only_in_the_wal_file()
    {
        TempFolder.CreateNotes(Database);
        using var writer = TempFolder.Open(Database);
        TempFolder.Execute(writer, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; PRAGMA wal_checkpoint(TRUNCATE);");
        TempFolder.Execute(writer, "INSERT INTO Notes (ChainId, Body) SELECT ChainId, 'only in the wal' FROM Notes LIMIT 500;");
        Assert.True(new FileInfo(Database + "-wal").Length > 0);

        // A plain copy of the main file, as `cp app.db` would take it, misses what the WAL holds.
        var plainCopy = _temp.File("plain-copy.db");
        File.Copy(Database, plainCopy);
        Assert.Equal(0, TempFolder.Scalar(plainCopy, "SELECT count(*) FROM Notes WHERE Body = 'only in the wal'"));

        var backup = BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None);

        Assert.Equal(500, TempFolder.Scalar(backup.Path, "SELECT count(*) FROM Notes WHERE Body = 'only in the wal'"));
        Assert.Equal(2500, backup.Sidecar.Census.Find("Notes")!.Rows);
        Assert.Equal("wal", backup.Sidecar.Source.JournalMode);
        // The copy is a self-contained rollback-journal file: reading it creates no -wal beside it.
        Assert.False(File.Exists(backup.Path + "-wal"));
        Assert.False(File.Exists(backup.Path + "-shm"));
    }

    [Fact]
    public void Take_gives_the_backup_folder_a_gitignore_that_keeps_every_file_out_of_git_and_keeps_a_users_own()
    {
        TempFolder.CreateNotes(Database, rows: 3);

        BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None);

        var gitIgnore = Path.Combine(Backups, ".gitignore");
        Assert.Equal(BackupFolder.GitIgnoreContent, File.ReadAllText(gitIgnore));
        Assert.StartsWith("# Written by MimoBackup.EfCore", BackupFolder.GitIgnoreContent, StringComparison.Ordinal); // What the build targets look for.
        Assert.Contains("\n*\n", BackupFolder.GitIgnoreContent, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(gitIgnore));
        }

        File.WriteAllText(gitIgnore, "*.db\n");
        BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None);
        Assert.Equal("*.db\n", File.ReadAllText(gitIgnore));
    }

    [Fact]
    public void Take_records_a_census_and_hash_that_match_the_copy()
    {
        TempFolder.CreateNotes(Database, rows: 1000);

        var backup = BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None);

        var sidecar = BackupSidecar.Load(backup.SidecarPath);
        Assert.Equal(TempFolder.Hash(backup.Path), sidecar.Sha256);
        Assert.Equal(new FileInfo(backup.Path).Length, sidecar.SizeBytes);
        Assert.Equal(1000, sidecar.Census.Find("Notes")!.Rows);
        Assert.Equal(750, sidecar.Census.Find("Notes")!.Columns["Body"]);
        Assert.Equal(3, sidecar.Census.Find("Chains")!.Rows);
        Assert.Equal("integrity_check", sidecar.Verification.Method);
        Assert.True(sidecar.Verification.Passed);
        Assert.Equal(["Chains", "Notes"], sidecar.Tables.Select(t => t.Name));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup.Path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup.SidecarPath));
        }
    }

    [Fact]
    public void Take_quick_verification_is_recorded_as_quick_check()
    {
        TempFolder.CreateNotes(Database, rows: 10);

        var backup = BackupWriter.Take(TempFolder.Request(Database, Backups) with { Verify = MimoVerification.Quick }, CancellationToken.None);

        Assert.Equal("quick_check", backup.Sidecar.Verification.Method);
    }

    [Fact]
    public void Take_twice_in_the_same_second_never_overwrites()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        var request = TempFolder.Request(Database, Backups) with { Clock = new FixedClock(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero)) };

        var first = BackupWriter.Take(request, CancellationToken.None);
        var second = BackupWriter.Take(request, CancellationToken.None);

        Assert.EndsWith("backup_20261124_120000.db", first.Path, StringComparison.Ordinal);
        Assert.EndsWith("backup_20261124_120000_2.db", second.Path, StringComparison.Ordinal);
        Assert.Equal(first.Path, Path.Combine(Backups, BackupSidecar.Load(first.SidecarPath).File));
        Assert.Equal(4, LeftOvers().Length);
    }

    [Fact]
    public void Take_copy_corrupted_before_verification_is_caught_and_nothing_is_left()
    {
        TempFolder.CreateNotes(Database);
        var before = TempFolder.Hash(Database);
        var request = TempFolder.Request(Database, Backups) with
        {
            // Overwrite the second page (a b-tree page of the schema's first table) with garbage.
            AfterSnapshot = copy =>
            {
                using var file = new FileStream(copy, FileMode.Open, FileAccess.Write);
                file.Position = 4096;
                file.Write(RandomNumberGenerator.GetBytes(4096));
            },
        };

        var error = Assert.Throws<MimoBackupException>(() => BackupWriter.Take(request, CancellationToken.None));

        Assert.Equal("MIMO105", error.Error.Code);
        Assert.Equal(MimoExitCode.VerificationFailed, error.Exit);
        Assert.Empty(LeftOvers());
        Assert.Equal(before, TempFolder.Hash(Database));
    }

    [Fact]
    public void Take_into_a_folder_that_is_a_file_fails_with_MIMO101_and_leaves_nothing()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        File.WriteAllText(Backups, "not a folder");
        var before = TempFolder.Hash(Database);

        var error = Assert.Throws<MimoBackupException>(() => BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None));

        Assert.Equal("MIMO101", error.Error.Code);
        Assert.Equal(before, TempFolder.Hash(Database));
        Assert.Equal("not a folder", File.ReadAllText(Backups));
    }

    [Fact]
    public void Take_onto_a_full_disk_fails_with_MIMO102_and_removes_the_partial_copy()
    {
        TempFolder.CreateNotes(Database, rows: 20_000);
        Directory.CreateDirectory(Backups);
        if (!SmallDisk.Mount(Backups, "size=256k", log))
        {
            return;
        }

        try
        {
            var error = Assert.Throws<MimoBackupException>(() => BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None));

            Assert.Equal("MIMO102", error.Error.Code);
            Assert.Empty(LeftOvers());
        }
        finally
        {
            SmallDisk.Unmount(Backups);
        }
    }

    [Fact]
    public void Take_of_a_database_locked_past_the_busy_timeout_fails_with_MIMO103()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        using var holder = TempFolder.Open(Database);
        TempFolder.Execute(holder, "BEGIN EXCLUSIVE; INSERT INTO Chains (Name) VALUES ('uncommitted');");
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<MimoBackupException>(() => BackupWriter.Take(TempFolder.Request(Database, Backups) with { BusyTimeout = TimeSpan.FromSeconds(1) }, CancellationToken.None));

        Assert.Equal("MIMO103", error.Error.Code);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Empty(LeftOvers());
    }

    [Fact]
    public void Take_cancelled_leaves_no_partial_backup()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        using var cancellation = new CancellationTokenSource();
        var request = TempFolder.Request(Database, Backups) with { AfterSnapshot = _ => cancellation.Cancel() };

        var error = Assert.Throws<MimoBackupException>(() => BackupWriter.Take(request, cancellation.Token));

        Assert.Equal("MIMO108", error.Error.Code);
        Assert.Empty(LeftOvers());
    }

    [Fact]
    public void Take_of_a_file_that_is_not_sqlite_fails_with_MIMO106()
    {
        File.WriteAllText(Database, new string('x', 8192));

        var error = Assert.Throws<MimoBackupException>(() => BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None));

        Assert.Equal("MIMO106", error.Error.Code);
        Assert.Empty(LeftOvers());
    }

    [Fact]
    public void Take_while_another_process_writes_gives_consistent_snapshots()
    {
        if (Sqlite3Shell.Missing(log))
        {
            return;
        }

        // Every transaction of the writer adds one Chain and exactly 10 Notes pointing at it: in any
        // consistent snapshot, Notes = 10 x Chains and no Note points at a missing Chain.
        using (var setup = TempFolder.Open(Database))
        {
            TempFolder.Execute(setup, "PRAGMA journal_mode = WAL; CREATE TABLE Chains (Id INTEGER PRIMARY KEY, Name TEXT); CREATE TABLE Notes (Id INTEGER PRIMARY KEY, ChainId INTEGER, Body TEXT);");
        }

        using var writer = Sqlite3Shell.Start(Database);
        var script = string.Concat(Enumerable.Range(0, 20_000).Select(i =>
            $"BEGIN; INSERT INTO Chains (Name) VALUES ('chain {i}'); INSERT INTO Notes (ChainId, Body) SELECT (SELECT max(Id) FROM Chains), hex(randomblob(64)) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10); COMMIT;\n"));
        var feeding = Task.Run(() =>
        {
            writer.StandardInput.Write(".timeout 5000\nPRAGMA synchronous = NORMAL;\n" + script);
            writer.StandardInput.Close();
        });

        var counts = new List<long>();
        var started = Stopwatch.StartNew();
        while (TempFolder.Scalar(Database, "SELECT count(*) FROM Chains") == 0 && started.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(20);
        }

        while (counts.Count < 6)
        {
            Thread.Sleep(100);
            var backup = BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None);
            var chains = backup.Sidecar.Census.Find("Chains")!.Rows;
            var notes = backup.Sidecar.Census.Find("Notes")!.Rows;
            Assert.Equal(chains * 10, notes);
            Assert.Equal(0, TempFolder.Scalar(backup.Path, "SELECT count(*) FROM Notes WHERE ChainId NOT IN (SELECT Id FROM Chains)"));
            Assert.Equal("ok", backup.Sidecar.Verification.Result);
            counts.Add(chains);
        }

        writer.Kill();
        log.WriteLine("chains in each snapshot: " + string.Join(", ", counts));
        Assert.Equal(counts.Order(), counts);
        Assert.True(counts.Distinct().Count() > 1, "the writer should have made progress between snapshots: " + string.Join(", ", counts));
    }



    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>The sqlite3 shell as a second, independent process writing to the same database.</summary>
internal static class Sqlite3Shell
{
    public static bool Missing(ITestOutputHelper log)
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("sqlite3", "-version") { RedirectStandardOutput = true })!;
            probe.WaitForExit();
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            log.WriteLine("SKIPPED: the sqlite3 shell is not installed (build/test.sh installs it).");
            Console.WriteLine("SKIPPED: a test needs the sqlite3 shell, which is not installed (build/test.sh installs it)");
            return true;
        }
    }

    public static Process Start(string database)
        => Process.Start(new ProcessStartInfo("sqlite3", [database])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
}
