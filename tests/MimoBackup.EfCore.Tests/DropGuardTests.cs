using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Tests;

public sealed class DropGuardTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mimo-drop-" + Guid.NewGuid().ToString("N")[..8]);

    public DropGuardTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Database => Path.Combine(_folder, "app.db");

    private string Backups => Path.Combine(_folder, "backups");

    private sealed class NotesContext(string connectionString, string backups, int freshMinutes = 15) : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder options)
            => options.UseSqlite(connectionString).UseMimoBackup(o => o.BackupDirectory(backups).FreshBackupMinutes(freshMinutes));
    }

    private NotesContext Context() => new("Data Source=" + Database, Backups);

    private void CreateDatabaseWithRows()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT); INSERT INTO Notes (Body) VALUES ('keep me'), ('and me');";
        command.ExecuteNonQuery();
    }

    private string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Database)));

    [Fact]
    public void EnsureDeleted_non_empty_database_without_fresh_backup_is_refused_and_untouched()
    {
        CreateDatabaseWithRows();
        var before = Hash();

        using var context = Context();
        var refusal = Assert.Throws<MimoException>(() => context.Database.EnsureDeleted());

        Assert.Equal("MIMO302", refusal.Error.Code);
        Assert.Equal(MimoExitCode.Refused, refusal.ExitCode);
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

        await Assert.ThrowsAsync<MimoException>(() => context.Database.EnsureDeletedAsync());
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

        using var context = Context();

        Assert.Throws<MimoException>(() => context.Database.EnsureDeleted());
        Assert.True(File.Exists(Database));
    }

    [Fact]
    public void EnsureDeleted_backup_whose_file_changed_size_does_not_count()
    {
        CreateDatabaseWithRows();
        var backup = TakeBackup(DateTimeOffset.UtcNow);
        File.AppendAllText(backup, "tampered");

        using var context = Context();

        Assert.Throws<MimoException>(() => context.Database.EnsureDeleted());
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
    public void UseMimoBackup_before_the_provider_is_a_clear_error()
    {
        var options = new DbContextOptionsBuilder().UseMimoBackup().UseSqlite("Data Source=" + Database).Options;

        var error = Assert.Throws<MimoException>(() => new DbContext(options));

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
