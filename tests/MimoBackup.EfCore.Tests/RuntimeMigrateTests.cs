using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary><c>Database.Migrate()</c> at application start-up with <c>UseMimoBackup()</c>.</summary>
public sealed class RuntimeMigrateTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private RuntimeContext Context(List<string>? lines = null) => new("Data Source=" + Database, Backups, lines ?? []);

    [Fact]
    public void Migrate_with_UseMimoBackup_backs_up_once_before_applying()
    {
        using (var first = Context())
        {
            first.Database.Migrate(RuntimeMigrations.First);
        }

        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "INSERT INTO Notes (Body) VALUES ('a'), ('b'), (NULL)");
        }

        var lines = new List<string>();
        using (var context = Context(lines))
        {
            context.Database.Migrate();
        }

        var backup = Assert.Single(Directory.GetFiles(Backups, "*.db"));
        var sidecar = BackupSidecar.Load(backup + BackupSidecar.Suffix);
        Assert.Equal([RuntimeMigrations.Second], sidecar.Migrations!.Pending);
        Assert.Equal(3, sidecar.Census.Find("Notes")!.Rows);
        Assert.Contains(lines, l => l.StartsWith("Mimo: verified backup", StringComparison.Ordinal));
        Assert.Contains("Title", string.Join(",", DatabaseContent.Columns(Database, TimeSpan.FromSeconds(1))["Notes"]), StringComparison.Ordinal);

        using (var again = Context())
        {
            again.Database.Migrate();
        }

        Assert.Single(Directory.GetFiles(Backups, "*.db"));
    }

    [Fact]
    public async Task MigrateAsync_reverting_is_backed_up_and_a_cancelled_token_leaves_nothing()
    {
        await using (var context = Context())
        {
            await context.Database.MigrateAsync();
            await context.Database.ExecuteSqlRawAsync("INSERT INTO Notes (Body, Title) VALUES ('a', 't')");
        }

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await using (var context = Context())
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => context.Database.MigrateAsync(RuntimeMigrations.First, cancelled.Token));
        }

        Assert.False(Directory.Exists(Backups) && Directory.EnumerateFileSystemEntries(Backups).Any(f => !f.EndsWith(AuditLog.FileName, StringComparison.Ordinal)));

        await using (var context = Context())
        {
            await context.Database.MigrateAsync(RuntimeMigrations.First);
        }

        var sidecar = BackupSidecar.Load(Assert.Single(Directory.GetFiles(Backups, "*.db")) + BackupSidecar.Suffix);
        Assert.Equal("down", sidecar.Migrations!.Direction);
        Assert.Contains($"Revert {RuntimeMigrations.Second[(RuntimeMigrations.Second.IndexOf('_', StringComparison.Ordinal) + 1)..]}", sidecar.Migrations.Destructive);
    }
    [Fact]
    public async Task MigrateAsync_cancelled_during_the_backup_leaves_no_backup_and_migrates_nothing()
    {
        await using (var context = Context())
        {
            await context.Database.MigrateAsync();
            await context.Database.ExecuteSqlRawAsync("INSERT INTO Notes (Body, Title) VALUES ('a', 't')");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // Pooled WAL connections checkpoint when they close.
        var before = TempFolder.Hash(Database);
        using var cancellation = new CancellationTokenSource();
        await using (var context = Context())
        {
            var migrator = Assert.IsType<Internal.BackupMigrator>(context.GetService<IMigrator>());
            migrator.AfterSnapshot = _ => cancellation.Cancel();

            var error = await Assert.ThrowsAnyAsync<Exception>(() => context.Database.MigrateAsync(RuntimeMigrations.First, cancellation.Token));

            Assert.True(error is OperationCanceledException || error is MimoBackupException { Error.Code: "MIMO108" }, error.ToString());
        }

        Assert.DoesNotContain(Directory.GetFiles(Backups), f => !f.EndsWith(AuditLog.FileName, StringComparison.Ordinal) && !f.EndsWith(".gitignore", StringComparison.Ordinal));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(before, TempFolder.Hash(Database));
        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
    }

    [Fact]
    public void Migrate_revert_with_SkipBackup_is_refused_with_a_stale_backup_and_allowed_with_a_fresh_one()
    {
        using (var context = Context())
        {
            context.Database.Migrate();
            context.Database.ExecuteSqlRaw("INSERT INTO Notes (Body, Title) VALUES ('a', 't')");
        }

        BackupWriter.Take(TempFolder.Request(Database, Backups) with { Clock = new FixedClock(DateTimeOffset.UtcNow.AddMinutes(-20)) }, CancellationToken.None);

        // EF made the database WAL and pools its connections: closing the last one checkpoints. Close them now,
        // so that the bytes compared below are the refusal's doing, not the pool's.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var before = TempFolder.Hash(Database);
        using (var skipping = new RuntimeContext("Data Source=" + Database, Backups, [], o => o.SkipBackup()))
        {
            var refusal = Assert.Throws<MimoBackupException>(() => skipping.Database.Migrate(RuntimeMigrations.First));
            Assert.Equal("MIMO301", refusal.Error.Code);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(before, TempFolder.Hash(Database));
        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));

        BackupWriter.Take(TempFolder.Request(Database, Backups) with { Clock = new FixedClock(DateTimeOffset.UtcNow.AddMinutes(-1)) }, CancellationToken.None);
        using (var skipping = new RuntimeContext("Data Source=" + Database, Backups, [], o => o.SkipBackup()))
        {
            skipping.Database.Migrate(RuntimeMigrations.First);
        }

        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
    }
}

public sealed class RuntimeContext(string connectionString, string backups, List<string> lines, Action<MimoBackupOptionsBuilder>? mimo = null) : DbContext
{
    public DbSet<RuntimeNote> Notes => Set<RuntimeNote>();

    protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseTestSqlite(connectionString, backups, lines, mimo);
}

public sealed class RuntimeNote
{
    public int Id { get; set; }

    public string? Body { get; set; }

    public string? Title { get; set; }
}

internal static class RuntimeMigrations
{
    public const string First = "20260101000000_CreateNotes";
    public const string Second = "20260102000000_AddTitle";
}

[DbContext(typeof(RuntimeContext))]
[Migration(RuntimeMigrations.First)]
public sealed class CreateNotes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.CreateTable(
            "Notes",
            t => new { Id = t.Column<int>(nullable: false).Annotation("Sqlite:Autoincrement", true), Body = t.Column<string>(nullable: true) },
            constraints: t => t.PrimaryKey("PK_Notes", x => x.Id));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("Notes");
}

[DbContext(typeof(RuntimeContext))]
[Migration(RuntimeMigrations.Second)]
public sealed class AddTitle : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.AddColumn<string>("Title", "Notes", nullable: true);

    // SQLite drops a column in place since 3.35; EF would otherwise need a target model to rebuild.
    protected override void Down(MigrationBuilder migrationBuilder)
        => migrationBuilder.Sql("ALTER TABLE \"Notes\" DROP COLUMN \"Title\";");
}

internal sealed class LineCollector(List<string> lines) : ILoggerProvider, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (lines)
        {
            lines.Add(formatter(state, exception));
        }
    }

    public void Dispose()
    {
    }
}
