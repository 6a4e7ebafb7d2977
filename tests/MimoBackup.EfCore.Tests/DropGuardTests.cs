using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

public sealed class DropGuardTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mimo-drop-" + Guid.NewGuid().ToString("N")[..8]);

    public DropGuardTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Database => Path.Combine(_folder, "app.db");

    private string Backups => Path.Combine(_folder, "backups");

    // Most tests here are about MimoSkipBackup, where only a fresh backup that holds the current data allows the drop;
    // with backups on, the guard takes a pre-drop backup itself (the Backups_on tests).
    private sealed class NotesContext(string connectionString, string backups, int freshMinutes = 15, bool enabled = true, bool skip = true) : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder options)
            => options.UseSqlite(connectionString).UseMimoBackup(o => o.BackupDirectory(backups).FreshBackupMinutes(freshMinutes).Enabled(enabled).SkipBackup(skip))
                // Every test has its own backup folder, so its own settings and service provider.
                .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.ManyServiceProvidersCreatedWarning));
    }

    private NotesContext Context() => new("Data Source=" + Database, Backups);

    [Fact]
    public void EnsureDeleted_with_backups_on_takes_a_verified_pre_drop_backup_holding_every_row_then_deletes()
    {
        CreateDatabaseWithRows();

        using var context = new NotesContext("Data Source=" + Database, Backups, skip: false);

        Assert.True(context.Database.EnsureDeleted());
        Assert.False(File.Exists(Database));
        var backup = Assert.Single(Directory.GetFiles(Backups, "pre-drop_*.db"));
        var sidecar = BackupSidecar.Load(backup + BackupSidecar.Suffix);
        Assert.True(sidecar.Verification.Passed);
        Assert.Equal(3, sidecar.Census.Find("Notes")!.Rows);
        Assert.Contains("\"event\":\"drop\"", File.ReadAllText(Path.Combine(Backups, AuditLog.FileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureDeleted_with_backups_on_whose_backup_cannot_be_taken_is_refused_and_untouched()
    {
        CreateDatabaseWithRows();
        var blocker = Path.Combine(_folder, "a-file-not-a-folder");
        File.WriteAllText(blocker, "");
        var before = Hash();

        using var context = new NotesContext("Data Source=" + Database, blocker, skip: false);

        Assert.Equal("MIMO302", Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted()).Error.Code);
        Assert.Equal(before, Hash());
    }

    private void CreateDatabaseWithRows()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT, Score REAL, Photo BLOB); "
            + "INSERT INTO Notes (Body, Score, Photo) VALUES ('keep me', 1.5, x'00ff'), ('and me', NULL, NULL), (NULL, 2, 'text in a blob column');";
        command.ExecuteNonQuery();
    }

    private string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Database)));

    [Fact]
    public void EnsureDeleted_non_empty_database_without_fresh_backup_is_refused_and_untouched()
    {
        CreateDatabaseWithRows();
        var before = Hash();

        using var context = Context();
        var refusal = Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted());

        Assert.Equal("MIMO302", refusal.Error.Code);
        Assert.Equal(MimoExitCode.Refused, refusal.Exit);
        Assert.Contains("dotnet msbuild -t:MimoBackup", refusal.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Database));
        Assert.Equal(before, Hash());
        Assert.Contains("\"event\":\"refusal\"", File.ReadAllText(Path.Combine(Backups, AuditLog.FileName)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureDeletedAsync_is_guarded_too()
    {
        CreateDatabaseWithRows();

        await using var context = Context();

        await Assert.ThrowsAsync<MimoBackupException>(() => context.Database.EnsureDeletedAsync());
        Assert.True(File.Exists(Database));
    }

    [Fact]
    public void EnsureDeleted_with_a_fresh_verified_backup_deletes()
    {
        CreateDatabaseWithRows();
        TakeBackup(DateTimeOffset.UtcNow.AddMinutes(-1));

        using var context = Context();

        Assert.True(context.Database.EnsureDeleted());
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public void EnsureDeleted_with_only_a_stale_backup_is_refused()
    {
        CreateDatabaseWithRows();
        TakeBackup(DateTimeOffset.UtcNow.AddMinutes(-16));
        var before = Hash();

        using var context = Context();

        Assert.Equal("MIMO302", Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted()).Error.Code);
        Assert.Equal(before, Hash());
    }

    [Fact]
    public void EnsureDeleted_with_a_young_backup_taken_before_one_more_insert_is_refused()
    {
        // Young is not enough: 4,003 orders were once deleted because a 2-minute-old backup held 3 of them.
        CreateDatabaseWithRows();
        TakeBackup(DateTimeOffset.UtcNow.AddMinutes(-1));
        Execute("INSERT INTO Notes (Body) VALUES ('written after the backup')");
        var before = Hash();

        using var context = Context();

        Assert.Equal("MIMO302", Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted()).Error.Code);
        Assert.Equal(before, Hash());
    }

    [Fact]
    public void EnsureDeleted_with_a_young_backup_after_an_update_in_place_is_refused()
    {
        // Same row count, same non-null counts: only the content says the backup is stale.
        CreateDatabaseWithRows();
        TakeBackup(DateTimeOffset.UtcNow.AddMinutes(-1));
        Execute("UPDATE Notes SET Body = 'changed' WHERE Id = 1");

        using var context = Context();

        Assert.Equal("MIMO302", Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted()).Error.Code);
        Assert.True(File.Exists(Database));
    }

    [Fact]
    public void EnsureDeleted_with_a_young_backup_whose_bytes_no_longer_match_its_sidecar_is_refused()
    {
        CreateDatabaseWithRows();
        var backup = TakeBackup(DateTimeOffset.UtcNow.AddMinutes(-1));
        var bytes = File.ReadAllBytes(backup);
        bytes[^1] ^= 0x01; // The last page's last byte: the file stays a readable database of the same size.
        File.WriteAllBytes(backup, bytes);

        using var context = Context();

        Assert.Equal("MIMO302", Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted()).Error.Code);
        Assert.True(File.Exists(Database));
    }

    [Fact]
    public void EnsureDeleted_after_a_checkpoint_that_changed_bytes_but_not_content_still_finds_the_backup_fresh()
    {
        CreateDatabaseWithRows();
        TakeBackup(DateTimeOffset.UtcNow.AddMinutes(-1));
        Execute("PRAGMA journal_mode = WAL; PRAGMA journal_mode = DELETE; VACUUM");

        using var context = Context();

        Assert.True(context.Database.EnsureDeleted());
        Assert.False(File.Exists(Database));
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void EnsureDeleted_refusal_of_a_wal_database_leaves_the_file_and_its_wal_byte_for_byte()
    {
        // A WAL database whose newest rows are still in its -wal file and that no connection holds open (as a
        // crashed app leaves it): a read-write connection closing it would checkpoint and delete the WAL.
        var live = Path.Combine(_folder, "live.db");
        using (var writer = new SqliteConnection($"Data Source={live};Pooling=False"))
        {
            writer.Open();
            using var command = writer.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT); INSERT INTO Notes (Body) VALUES ('only in the wal');";
            command.ExecuteNonQuery();
            File.Copy(live, Database);
            File.Copy(live + "-wal", Database + "-wal");
        }

        string Fingerprint() => Hash() + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Database + "-wal")));
        var before = Fingerprint();

        using var context = Context();

        Assert.Equal("MIMO302", Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted()).Error.Code);
        Assert.Equal(before, Fingerprint());
    }

    [Fact]
    public void EnsureDeleted_of_a_created_database_whose_tables_hold_no_rows_is_never_refused()
    {
        // The test-suite pattern: EnsureDeleted(); EnsureCreated(); ... rows removed again ...; EnsureDeleted().
        CreateDatabaseWithRows();
        using (var connection = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM Notes; CREATE TABLE __EFMigrationsHistory (MigrationId TEXT PRIMARY KEY, ProductVersion TEXT); INSERT INTO __EFMigrationsHistory VALUES ('1_Initial', '10.0');";
            command.ExecuteNonQuery();
        }

        using var context = Context();

        Assert.True(context.Database.EnsureDeleted());
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public void EnsureDeleted_with_backups_off_deletes_with_a_warning_on_the_record()
    {
        CreateDatabaseWithRows();

        using (var context = new NotesContext("Data Source=" + Database, Backups, enabled: false))
        {
            Assert.True(context.Database.EnsureDeleted());
        }

        Assert.False(File.Exists(Database));
        Assert.Contains("\"event\":\"disabled\"", File.ReadAllText(Path.Combine(Backups, AuditLog.FileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureDeleted_backup_whose_file_changed_size_does_not_count()
    {
        CreateDatabaseWithRows();
        var backup = TakeBackup(DateTimeOffset.UtcNow);
        File.AppendAllText(backup, "tampered");

        using var context = Context();

        Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted());
    }

    [Fact]
    public void EnsureDeleted_throw_away_databases_are_never_refused()
    {
        using (var missing = Context())
        {
            Assert.False(missing.Database.EnsureDeleted());
        }

        File.WriteAllBytes(Database, []);
        using (var empty = Context())
        {
            Assert.True(empty.Database.EnsureDeleted());
        }

        using var memory = new NotesContext("Data Source=:memory:", Backups);
        memory.Database.EnsureDeleted();
        Assert.False(Directory.Exists(Backups));
    }

    [Fact]
    public void EnsureDeleted_with_backups_off_deletes_even_a_damaged_file()
    {
        File.WriteAllText(Database, "this was a database once, now it is only text that SQLite cannot read");

        using (var context = new NotesContext("Data Source=" + Database, Backups, enabled: false))
        {
            context.Database.EnsureDeleted();
        }

        Assert.False(File.Exists(Database));
    }

    [Fact]
    public void UseMimoBackup_before_the_provider_is_a_clear_error()
    {
        var options = new DbContextOptionsBuilder().UseMimoBackup().UseSqlite("Data Source=" + Database).Options;

        var error = Assert.Throws<MimoBackupException>(() => new DbContext(options));

        Assert.Equal("MIMO003", error.Error.Code);
    }

    private string TakeBackup(DateTimeOffset at)
        => BackupWriter.Take(
            new BackupRequest
            {
                DatabasePath = Database,
                BackupFolder = Backups,
                Kind = BackupKind.Manual,
                Origin = new OriginFacts(null, null, null, null, "test", "machine", "user"),
                Clock = new FixedClock(at),
            },
            CancellationToken.None).Path;

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
