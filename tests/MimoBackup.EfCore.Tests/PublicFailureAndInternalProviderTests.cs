using System.Reflection;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MimoBackup.EfCore.Tests;

/// <summary>What an app's own code meets: the public exception, and apps that build EF's service provider themselves.</summary>
public sealed class PublicFailureAndInternalProviderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    [Fact]
    public void MimoBackupException_is_public_with_its_code_and_exit_code_readable()
    {
        var type = typeof(MimoBackupException);
        Assert.True(type.IsPublic);
        Assert.True(type.IsSealed);
        Assert.True(type.GetProperty(nameof(MimoBackupException.Code))!.GetMethod!.IsPublic);
        Assert.True(type.GetProperty(nameof(MimoBackupException.ExitCode))!.GetMethod!.IsPublic);

        // Every type an app can be handed is public: nothing internal escapes Migrate().
        Assert.DoesNotContain(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance), c => true);
    }

    [Fact]
    public async Task Migrate_MigrateAsync_and_EnsureDeleted_failures_are_MimoBackupException_with_code_and_exit_code()
    {
        using (var context = new RuntimeContext("Data Source=" + Database, Backups, []))
        {
            context.Database.Migrate(RuntimeMigrations.First);
            context.Database.ExecuteSqlRaw("INSERT INTO Notes (Body) VALUES ('kept')");
        }

        // A backup folder that cannot be created, because a file holds its name: no backup, so no migration.
        var blocked = _temp.File("blocked");
        File.WriteAllText(blocked, "a file, not a folder");
        var unwritable = Path.Combine(blocked, "backups");
        Exception sync;
        using (var context = new RuntimeContext("Data Source=" + Database, unwritable, []))
        {
            sync = Record.Exception(() => context.Database.Migrate());
        }

        Exception async;
        await using (var context = new RuntimeContext("Data Source=" + Database, unwritable, []))
        {
            async = await Record.ExceptionAsync(() => context.Database.MigrateAsync());
        }

        foreach (var error in new[] { sync, async })
        {
            var failure = Assert.IsType<MimoBackupException>(error);
            Assert.Equal("MIMO101", failure.Code);
            Assert.Equal(1, failure.ExitCode);
            Assert.StartsWith("MIMO101: ", failure.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));

        // A drop whose pre-drop backup cannot be taken is refused: exit code 3, the file is still there.
        using (var context = new RuntimeContext("Data Source=" + Database, unwritable, []))
        {
            var refusal = Assert.IsType<MimoBackupException>(Record.Exception(() => context.Database.EnsureDeleted()));
            Assert.Equal("MIMO302", refusal.Code);
            Assert.Equal(3, refusal.ExitCode);
        }

        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
    }

    [Fact]
    public void UseInternalServiceProvider_with_AddEntityFrameworkMimoBackup_backs_up_before_migrating()
    {
        var services = new ServiceCollection().AddEntityFrameworkSqlite().AddEntityFrameworkMimoBackup().BuildServiceProvider();
        using (var context = InternalProviderContext(services))
        {
            context.Database.Migrate(RuntimeMigrations.First);
            context.Database.ExecuteSqlRaw("INSERT INTO Notes (Body) VALUES ('a'), ('b')");
        }

        using (var context = InternalProviderContext(services))
        {
            context.Database.Migrate();
        }

        var backup = Assert.Single(Directory.GetFiles(Backups, "*.db"));
        Assert.Equal(2, TempFolder.Scalar(backup, "SELECT count(*) FROM Notes"));
        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
    }

    [Fact]
    public void AddEntityFrameworkMimoBackup_twice_still_takes_one_backup_per_update()
    {
        var services = new ServiceCollection().AddEntityFrameworkSqlite().AddEntityFrameworkMimoBackup().AddEntityFrameworkMimoBackup().BuildServiceProvider();
        using (var context = InternalProviderContext(services))
        {
            context.Database.Migrate(RuntimeMigrations.First);
            context.Database.ExecuteSqlRaw("INSERT INTO Notes (Body) VALUES ('a')");
            context.Database.Migrate();
        }

        Assert.Single(Directory.GetFiles(Backups, "*.db"));
    }

    [Fact]
    public void UseInternalServiceProvider_without_AddEntityFrameworkMimoBackup_is_reported_by_Validate_before_anything_runs()
    {
        var services = new ServiceCollection().AddEntityFrameworkSqlite().BuildServiceProvider();

        // EF validates options given to the constructor there, before the context can be used.
        var failure = Assert.IsType<MimoBackupException>(Record.Exception(() =>
        {
            using var context = InternalProviderContext(services);
            context.Database.Migrate();
        }));
        Assert.Equal("MIMO006", failure.Code);
        Assert.Equal(2, failure.ExitCode);
        Assert.Contains("AddEntityFrameworkMimoBackup()", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public void AddEntityFrameworkMimoBackup_before_the_provider_is_a_clear_error()
    {
        var failure = Assert.Throws<MimoBackupException>(() => new ServiceCollection().AddEntityFrameworkMimoBackup().AddEntityFrameworkSqlite());
        Assert.Equal("MIMO007", failure.Code);
        Assert.Contains("AddEntityFrameworkSqlite()", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseMimoBackup_before_the_provider_is_reported_by_Validate()
    {
        var options = new DbContextOptionsBuilder<InternalProviderDbContext>()
            .UseMimoBackup(o => o.BackupDirectory(Backups))
            .UseSqlite("Data Source=" + Database)
            .ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning))
            .Options;

        var failure = Record.Exception(() =>
        {
            using var context = new InternalProviderDbContext(options);
            context.Database.Migrate();
        });
        Assert.Equal("MIMO003", Assert.IsType<MimoBackupException>(failure).Code);
        Assert.False(File.Exists(Database));
    }

    private InternalProviderDbContext InternalProviderContext(IServiceProvider services)
        => new(new DbContextOptionsBuilder<InternalProviderDbContext>()
            .UseInternalServiceProvider(services)
            .UseSqlite("Data Source=" + Database)
            .UseMimoBackup(o => o.BackupDirectory(Backups))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
            .Options);
}

/// <summary>A context configured from outside, as apps with their own EF service provider are.</summary>
public sealed class InternalProviderDbContext(DbContextOptions<InternalProviderDbContext> options) : DbContext(options)
{
    public DbSet<RuntimeNote> Notes => Set<RuntimeNote>();
}

[DbContext(typeof(InternalProviderDbContext))]
[Migration(RuntimeMigrations.First)]
public sealed class InternalProviderCreateNotes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.CreateTable(
            "Notes",
            t => new { Id = t.Column<int>(nullable: false).Annotation("Sqlite:Autoincrement", true), Body = t.Column<string>(nullable: true) },
            constraints: t => t.PrimaryKey("PK_Notes", x => x.Id));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("Notes");
}

[DbContext(typeof(InternalProviderDbContext))]
[Migration(RuntimeMigrations.Second)]
public sealed class InternalProviderAddTitle : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.AddColumn<string>("Title", "Notes", nullable: true);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("ALTER TABLE \"Notes\" DROP COLUMN \"Title\";");
}
