using System.Diagnostics;
using System.Text.Json.Nodes;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>The manual operations behind the MSBuild targets, on real files: backup, list, verify, restore, status.</summary>
public sealed class ManualCommandsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private CommandTarget Target(TimeSpan? busyTimeout = null)
        => CommandTarget.ForFile(Database, new MimoSettings()) with { BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(5) };

    private static CommandOptions Options(params (string Name, string Value)[] values)
        => new(values.ToDictionary(v => v.Name, v => v.Value));

    private MimoExitCode Run(string verb, RecordingOutput output, TimeProvider? clock = null, CommandTarget? target = null, params (string, string)[] options)
        => ManualCommands.Run(verb, target ?? Target(), Options(options), output, clock ?? TimeProvider.System, CancellationToken.None);

    private string[] BackupFiles() => Directory.Exists(Backups) ? Directory.GetFiles(Backups, "*.db") : [];

    [Fact]
    public void Backup_with_name_and_pin_is_named_pinned_verified_and_audited()
    {
        TempFolder.CreateNotes(Database, rows: 100);
        var output = new RecordingOutput();

        var exit = Run("backup", output, options: [("BackupName", "before-major-change"), ("Pin", "true")]);

        Assert.Equal(MimoExitCode.Done, exit);
        var backup = Assert.Single(BackupFiles());
        Assert.Matches(@"before-major-change_\d{8}_\d{6}\.db$", backup);
        var sidecar = BackupSidecar.Load(backup + BackupSidecar.Suffix);
        Assert.True(sidecar.Pinned);
        Assert.Equal(BackupKind.Manual, sidecar.Kind);
        Assert.Equal("before-major-change", sidecar.Name);
        Assert.True(sidecar.Verification.Passed);
        Assert.Contains(output.Lines, l => l.Contains("verified backup", StringComparison.Ordinal) && l.Contains("pinned", StringComparison.Ordinal)
            && l.Contains("-p:MimoRestoreFrom=" + Path.GetFileName(backup), StringComparison.Ordinal));
        var audit = new AuditLog(Backups).Read().Single(l => (string?)l["event"] == "backup");
        Assert.Equal(backup, (string?)audit["backup"]);
    }

    [Fact]
    public void Backup_without_name_is_called_backup()
    {
        TempFolder.CreateNotes(Database, rows: 10);

        Run("backup", new RecordingOutput());

        Assert.Matches(@"[/\\]backup_\d{8}_\d{6}\.db$", Assert.Single(BackupFiles()));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("bell\u0007")]
    [InlineData("new\nline")]
    [InlineData(".hidden")]
    [InlineData("two..dots")]
    [InlineData("semi;colon")]
    [InlineData("with space")]
    [InlineData("pre-migration")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Backup_with_an_unsafe_name_is_refused_with_MIMO201_and_writes_nothing(string name)
    {
        TempFolder.CreateNotes(Database, rows: 10);
        var before = TempFolder.Hash(Database);

        var error = Assert.Throws<MimoBackupException>(() => Run("backup", new RecordingOutput(), options: [("BackupName", name)]));

        Assert.Equal("MIMO201", error.Error.Code);
        Assert.Equal(MimoExitCode.BadUsage, error.Exit);
        Assert.False(Directory.Exists(Backups));
        Assert.Equal(before, TempFolder.Hash(Database));
    }

    [Theory]
    [InlineData("before-major-change")]
    [InlineData("v2.1_release")]
    [InlineData("Überprüfung")]
    public void BackupNames_accepts_ordinary_names(string name) => Assert.Null(BackupNames.Problem(name));

    [Fact]
    public void Backup_of_a_missing_database_fails_with_MIMO207()
    {
        var error = Assert.Throws<MimoBackupException>(() => Run("backup", new RecordingOutput()));

        Assert.Equal("MIMO207", error.Error.Code);
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public void List_shows_every_backup_and_flags_incomplete_ones_and_leftovers()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        Run("backup", new RecordingOutput(), options: [("BackupName", "first"), ("Pin", "true")]);
        Run("backup", new RecordingOutput(), options: [("BackupName", "second")]);
        File.WriteAllText(Path.Combine(Backups, "pre-migration_20260101_000000.db"), "no sidecar");
        File.WriteAllText(Path.Combine(Backups, ".backup_20260101_000000.1234abcd.tmp"), "half a copy");
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("list", output));

        var header = output.Information.Single(l => l.StartsWith("NAME", StringComparison.Ordinal));
        foreach (var column in new[] { "CREATED (local)", "KIND", "SIZE", "LAST MIGRATION", "VERIFIED", "PINNED", "RETENTION" })
        {
            Assert.Contains(column, header, StringComparison.Ordinal);
        }

        Assert.Contains(output.Information, l => l.StartsWith("first_", StringComparison.Ordinal) && l.Contains("backup", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(l, @"\syes\s+pinned$"));
        Assert.Contains(output.Information, l => l.StartsWith("second_", StringComparison.Ordinal));
        Assert.Contains(output.Information, l => l.StartsWith("pre-migration_20260101_000000.db", StringComparison.Ordinal) && l.Contains("INCOMPLETE", StringComparison.Ordinal));
        Assert.Contains(output.Information, l => l.StartsWith(".backup_20260101_000000.1234abcd.tmp", StringComparison.Ordinal) && l.Contains("INCOMPLETE", StringComparison.Ordinal));
        Assert.Equal(2, output.Warnings.Count);
    }

    [Fact]
    public void List_as_json_carries_the_same_facts()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        Run("backup", new RecordingOutput(), options: [("BackupName", "first"), ("Pin", "true")]);
        File.WriteAllText(Path.Combine(Backups, "backup_20260101_000000.db"), "no sidecar");
        var output = new RecordingOutput();

        Run("list", output, options: [("Output", "json")]);

        var json = JsonNode.Parse(Assert.Single(output.Information))!;
        var backups = json["backups"]!.AsArray();
        Assert.Equal(2, backups.Count);
        var first = backups.Single(b => ((string)b!["name"]!).StartsWith("first_", StringComparison.Ordinal))!;
        Assert.True((bool)first["complete"]!);
        Assert.True((bool)first["verified"]!);
        Assert.True((bool)first["pinned"]!);
        Assert.Equal("backup", (string?)first["kind"]);
        var incomplete = backups.Single(b => (string)b!["name"]! == "backup_20260101_000000.db")!;
        Assert.False((bool)incomplete["complete"]!);
        Assert.NotNull((string?)incomplete["problem"]);
    }

    [Fact]
    public void List_with_an_unknown_output_is_refused_with_MIMO001()
        => Assert.Equal("MIMO001", Assert.Throws<MimoBackupException>(() => Run("list", new RecordingOutput(), options: [("Output", "xml")])).Error.Code);

    [Fact]
    public void Verify_passes_good_backups_and_catches_one_flipped_byte_with_exit_4()
    {
        TempFolder.CreateNotes(Database, rows: 500);
        Run("backup", new RecordingOutput(), options: [("BackupName", "good")]);
        Run("backup", new RecordingOutput(), options: [("BackupName", "flipped")]);
        var ok = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("verify", ok));
        Assert.Equal(2, ok.Information.Count(l => l.Contains("ok ", StringComparison.Ordinal)));

        var flipped = BackupFiles().Single(f => Path.GetFileName(f).StartsWith("flipped_", StringComparison.Ordinal));
        FlipOneByte(flipped);
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.VerificationFailed, Run("verify", output));

        var error = Assert.Single(output.Errors);
        Assert.Equal("MIMO206", error.Error.Code);
        Assert.Contains(Path.GetFileName(flipped), error.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Contains(output.Information, l => l.Contains("1 of 2 backups passed", StringComparison.Ordinal));

        var one = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("verify", one, options: [("BackupName", "good")]));
        Assert.Empty(one.Errors);
    }

    [Fact]
    public void Restore_by_name_brings_the_rows_back_and_keeps_a_pre_restore_backup()
    {
        TempFolder.CreateNotes(Database, rows: 1000);
        Run("backup", new RecordingOutput(), options: [("BackupName", "known-good")]);
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "DELETE FROM Notes WHERE Id > 10");
        }

        var output = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("restore", output, options: [("RestoreFrom", "known-good")]));

        Assert.Equal(1000, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
        Assert.Equal("ok", IntegrityOf(Database));
        var preRestore = Assert.Single(BackupFiles(), f => Path.GetFileName(f).StartsWith("pre-restore_", StringComparison.Ordinal));
        Assert.Equal(10, TempFolder.Scalar(preRestore, "SELECT count(*) FROM Notes"));
        Assert.Contains(output.Information, l => l.Contains("To undo: dotnet msbuild -t:MimoRestore -p:MimoRestoreFrom=" + Path.GetFileName(preRestore), StringComparison.Ordinal));
        var audit = new AuditLog(Backups).Read().Last();
        Assert.Equal("restore", (string?)audit["event"]);
        Assert.Equal(preRestore, (string?)audit["preRestore"]);
    }

    [Fact]
    public void Restore_from_an_arbitrary_wal_file_includes_what_only_its_wal_holds()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        Directory.CreateDirectory(_temp.File("old"));
        var old = _temp.File("old/app.db.old");
        TempFolder.CreateNotes(old, rows: 300);
        using var writer = TempFolder.Open(old);
        TempFolder.Execute(writer, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; INSERT INTO Notes (ChainId, Body) VALUES (1, 'in the wal');");

        Assert.Equal(MimoExitCode.Done, Run("restore", new RecordingOutput(), options: [("RestoreFrom", old)]));

        Assert.Equal(301, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes WHERE Body = 'in the wal'"));
    }

    [Fact]
    public void Restore_refuses_a_backup_with_a_flipped_byte_and_leaves_the_database_unchanged()
    {
        TempFolder.CreateNotes(Database, rows: 500);
        Run("backup", new RecordingOutput(), options: [("BackupName", "flipped")]);
        FlipOneByte(Assert.Single(BackupFiles()));
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "DELETE FROM Notes WHERE Id > 10");
        }

        var before = TempFolder.Hash(Database);

        var error = Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput(), options: [("RestoreFrom", "flipped")]));

        Assert.Equal("MIMO203", error.Error.Code);
        Assert.Equal(MimoExitCode.VerificationFailed, error.Exit);
        Assert.Equal(before, TempFolder.Hash(Database));
        Assert.DoesNotContain(BackupFiles(), f => Path.GetFileName(f).StartsWith("pre-restore_", StringComparison.Ordinal));
        var refusal = new AuditLog(Backups).Read().Last();
        Assert.Equal("refusal", (string?)refusal["event"]);
        Assert.Equal("MIMO203", (string?)refusal["code"]);
    }

    [Fact]
    public void Restore_refuses_a_sqlite_file_without_sidecar_that_fails_its_integrity_check()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        var damaged = _temp.File("damaged.db");
        TempFolder.CreateNotes(damaged, rows: 3000);
        using (var file = new FileStream(damaged, FileMode.Open, FileAccess.Write))
        {
            // Garbage over the middle of the file: the header stays, the b-trees do not.
            file.Position = file.Length / 2;
            file.Write(new byte[8192].Select((_, i) => (byte)(i * 7)).ToArray());
        }

        var before = TempFolder.Hash(Database);

        var error = Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput(), options: [("RestoreFrom", damaged)]));

        Assert.Equal("MIMO203", error.Error.Code);
        Assert.Equal(MimoExitCode.VerificationFailed, error.Exit);
        Assert.Equal(before, TempFolder.Hash(Database));
        Assert.DoesNotContain(BackupFiles(), f => Path.GetFileName(f).StartsWith("pre-restore_", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_refuses_a_file_that_is_not_sqlite_with_exit_4()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        var notSqlite = _temp.File("notes.txt");
        File.WriteAllText(notSqlite, "these are not the rows you are looking for");
        var before = TempFolder.Hash(Database);

        var error = Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput(), options: [("RestoreFrom", notSqlite)]));

        Assert.Equal("MIMO203", error.Error.Code);
        Assert.Equal(MimoExitCode.VerificationFailed, error.Exit);
        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TempFolder.Hash(Database));
    }

    [Fact]
    public void Restore_of_an_unknown_name_fails_with_MIMO202_and_of_an_incomplete_backup_with_MIMO203()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        Directory.CreateDirectory(Backups);
        File.Copy(Database, Path.Combine(Backups, "backup_20260101_000000.db"));

        Assert.Equal("MIMO202", Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput(), options: [("RestoreFrom", "nothing-like-it")])).Error.Code);
        Assert.Equal("MIMO203", Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput(), options: [("RestoreFrom", "backup_20260101_000000")])).Error.Code);
        Assert.Equal("MIMO209", Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput())).Error.Code);
    }

    [Fact]
    public void Restore_of_another_page_size_into_a_wal_database_is_MIMO214_and_changes_nothing()
    {
        TempFolder.CreateNotes(Database, rows: 100);
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "PRAGMA journal_mode = WAL");
        }

        var other = _temp.File("big-pages.db");
        using (var connection = TempFolder.Open(other))
        {
            TempFolder.Execute(connection, "PRAGMA page_size = 8192; CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT); INSERT INTO Notes (Body) VALUES ('x');");
        }

        var before = TempFolder.Hash(Database);

        var error = Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput(), options: [("RestoreFrom", other)]));

        Assert.Equal("MIMO214", error.Error.Code);
        Assert.Equal(before, TempFolder.Hash(Database));
        Assert.Equal(100, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
    }

    [Fact]
    public void Restore_over_a_database_with_a_garbage_header_replaces_it_and_keeps_its_bytes()
    {
        TempFolder.CreateNotes(Database, rows: 200);
        Run("backup", new RecordingOutput(), options: [("BackupName", "good")]);
        using (var file = new FileStream(Database, FileMode.Open, FileAccess.Write))
        {
            file.Write("garbage garbage garbage"u8);
        }

        var damaged = File.ReadAllBytes(Database);
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("restore", output, options: [("RestoreFrom", "good")]));

        Assert.Equal(200, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
        var kept = Assert.Single(BackupFiles(), f => Path.GetFileName(f).StartsWith("pre-restore_", StringComparison.Ordinal));
        Assert.Equal(damaged, File.ReadAllBytes(kept));
        Assert.False(BackupSidecar.Load(kept + BackupSidecar.Suffix).Verification.Passed);
        Assert.Contains(output.Warnings, w => w.Contains("damaged", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_while_a_wal_reader_holds_a_snapshot_succeeds_and_the_reader_sees_old_until_it_ends()
    {
        TempFolder.CreateNotes(Database, rows: 1000);
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "PRAGMA journal_mode = WAL");
        }

        Run("backup", new RecordingOutput(), options: [("BackupName", "full")]);
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "DELETE FROM Notes WHERE Id > 100");
        }

        using var reader = TempFolder.Open(Database);
        TempFolder.Execute(reader, "BEGIN");
        Assert.Equal(100, Count(reader));

        Assert.Equal(MimoExitCode.Done, Run("restore", new RecordingOutput(), options: [("RestoreFrom", "full")]));

        Assert.Equal(100, Count(reader));
        TempFolder.Execute(reader, "COMMIT");
        Assert.Equal(1000, Count(reader));
        Assert.Equal("wal", TempFolder.Open(Database).ExecuteScalarString("PRAGMA journal_mode"));
    }

    [Fact]
    public void Restore_while_a_rollback_reader_holds_its_lock_fails_cleanly_after_the_busy_timeout()
    {
        TempFolder.CreateNotes(Database, rows: 1000);
        Run("backup", new RecordingOutput(), options: [("BackupName", "full")]);
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "DELETE FROM Notes WHERE Id > 100");
        }

        var before = TempFolder.Hash(Database);
        using var reader = TempFolder.Open(Database);
        TempFolder.Execute(reader, "BEGIN");
        Assert.Equal(100, Count(reader));
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput(), target: Target(TimeSpan.FromSeconds(1)), options: [("RestoreFrom", "full")]));

        Assert.Equal("MIMO204", error.Error.Code);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(20));
        Assert.Equal(100, Count(reader));
        TempFolder.Execute(reader, "COMMIT");
        Assert.Equal(before, TempFolder.Hash(Database));
        Assert.Equal("ok", IntegrityOf(Database));
    }

    [Fact]
    public void Status_warns_about_no_backup_an_old_backup_leftovers_and_a_large_wal_and_checkpoints_it()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        var none = new RecordingOutput();
        Run("status", none);
        Assert.Contains(none.Warnings, w => w.Contains("no verified backup", StringComparison.Ordinal));

        Run("backup", new RecordingOutput());
        var now = new FixedClock(DateTimeOffset.UtcNow.AddDays(8));
        var old = new RecordingOutput();
        Run("status", old, now);
        Assert.Contains(old.Warnings, w => w.Contains("older than MimoMaxBackupAgeDays=7", StringComparison.Ordinal));
        var lenient = new RecordingOutput();
        Run("status", lenient, now, options: [("MaxBackupAgeDays", "10")]);
        Assert.Empty(lenient.Warnings);
        Assert.Equal("MIMO001", Assert.Throws<MimoBackupException>(() => Run("status", new RecordingOutput(), options: [("MaxBackupAgeDays", "soon")])).Error.Code);

        File.WriteAllText(Path.Combine(Backups, ".backup_20260101_000000.1234abcd.tmp"), "half a copy");
        using var writer = TempFolder.Open(Database);
        TempFolder.Execute(writer, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
        TempFolder.Execute(writer, "CREATE TABLE Blobs (Data BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 70) INSERT INTO Blobs SELECT randomblob(1048576) FROM n;");
        var busy = new RecordingOutput();
        Run("status", busy);
        Assert.Contains(busy.Warnings, w => w.Contains("leftover", StringComparison.Ordinal));
        Assert.Contains(busy.Warnings, w => w.Contains("-p:MimoCheckpoint=true", StringComparison.Ordinal));

        var checkpoint = new RecordingOutput();
        Run("status", checkpoint, options: [("Checkpoint", "true")]);
        Assert.Contains(checkpoint.Information, l => l.Contains("WAL truncated", StringComparison.Ordinal));
        Assert.Equal(0, new FileInfo(Database + "-wal").Length);
        Assert.Equal(70, TempFolder.Scalar(Database, "SELECT count(*) FROM Blobs"));
    }

    [Fact]
    public void Status_of_a_damaged_database_says_so_instead_of_failing()
    {
        File.WriteAllText(Database, "this is not a database at all, just some text that is long enough");
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("status", output));

        Assert.Contains(output.Warnings, w => w.Contains("cannot be read", StringComparison.Ordinal) && w.Contains("MimoRestore", StringComparison.Ordinal));
    }

    internal static void FlipOneByte(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var offset = file.Length / 2;
        file.Position = offset;
        var value = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ 0x01));
    }

    internal static string IntegrityOf(string database)
    {
        using var connection = TempFolder.Open(database, "Mode=ReadOnly");
        return connection.ExecuteScalarString("PRAGMA integrity_check");
    }

    private static long Count(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM Notes";
        return (long)command.ExecuteScalar()!;
    }
}

/// <summary>A clock that reads one fixed instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal static class ConnectionExtensions
{
    public static string ExecuteScalarString(this Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
