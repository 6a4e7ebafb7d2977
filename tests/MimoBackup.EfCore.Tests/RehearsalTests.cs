using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>Every update rehearsed on a copy of its verified backup, with the real EF migrator on real files.</summary>
public sealed class RehearsalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private RehearsalContext Context(List<string>? lines = null, Action<MimoBackupOptionsBuilder>? mimo = null)
        => new("Data Source=" + Database, Backups, lines ?? [], mimo);

    private void Seed(string target, string rows = "INSERT INTO Notes (Body, Code) VALUES ('keep', 'a'), ('b', 'b'), ('c', 'c')")
    {
        using (var context = Context())
        {
            context.Database.Migrate(target);
        }

        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, rows);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private string[] History() => [.. TempFolder.Rows(Database, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY 1")];

    [Fact]
    public void An_update_whose_later_migration_fails_on_data_an_earlier_one_changed_is_refused_before_anything_is_applied()
    {
        Seed(RehearsalMigrations.Create);
        var content = DatabaseContent.ContentDigest(Database, isBackup: false, TimeSpan.FromSeconds(5), [], CancellationToken.None);

        using (var context = Context())
        {
            var refusal = Assert.Throws<MimoBackupException>(() => context.Database.Migrate());
            Assert.Equal("MIMO303", refusal.Error.Code);
            Assert.Contains(RehearsalMigrations.UniqueCode, refusal.Message, StringComparison.Ordinal);
            Assert.Contains("UNIQUE constraint failed", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Nothing was migrated", refusal.Message, StringComparison.Ordinal);
            Assert.True(refusal.Message.Length < 1024, refusal.Message);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal([RehearsalMigrations.Create], History());
        Assert.Equal(content, DatabaseContent.ContentDigest(Database, isBackup: false, TimeSpan.FromSeconds(5), [], CancellationToken.None));
        var backup = Assert.Single(Directory.GetFiles(Backups, "pre-migration_*.db"));
        Assert.Empty(Directory.GetFiles(Backups, ".*.tmp*"));
        var refusalLine = new AuditLog(Backups).Read().Last();
        Assert.Equal(("refusal", "rehearsal-failed", backup), ((string?)refusalLine["event"], (string?)refusalLine["reason"], (string?)refusalLine["backup"]));
    }

    [Fact]
    public async Task MigrateAsync_is_rehearsed_too_and_refused_the_same_way()
    {
        Seed(RehearsalMigrations.Create);

        await using (var context = Context())
        {
            var refusal = await Assert.ThrowsAsync<MimoBackupException>(() => context.Database.MigrateAsync());
            Assert.Equal("MIMO303", refusal.Error.Code);
        }

        Assert.Equal([RehearsalMigrations.Create], History());
    }

    [Fact]
    public void A_rehearsal_that_passes_reports_the_values_the_update_will_NULL_before_migrating_and_the_result_matches()
    {
        Seed(RehearsalMigrations.Create);
        var lines = new List<string>();
        using (var context = Context(lines))
        {
            context.Database.Migrate(RehearsalMigrations.BlankBodies);
        }

        var rehearsal = Assert.Single(lines, l => l.StartsWith("Mimo: rehearsal passed", StringComparison.Ordinal));
        Assert.Contains("2 values set to NULL", rehearsal, StringComparison.Ordinal);
        Assert.Contains("Notes.Body: 2 values set to NULL", rehearsal, StringComparison.Ordinal);
        var after = Assert.Single(lines, l => l.StartsWith("Mimo: after migrating", StringComparison.Ordinal));
        Assert.Contains("(as rehearsed)", after, StringComparison.Ordinal);
        Assert.True(lines.IndexOf(rehearsal) < lines.FindLastIndex(l => l.Contains("Applying migration", StringComparison.Ordinal)));
        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes WHERE Body IS NULL"));
        Assert.Contains(new AuditLog(Backups).Read(), l => (string?)l["event"] == "rehearsal" && (bool?)l["losesData"] == true);
        var sidecar = BackupSidecar.Load(Assert.Single(Directory.GetFiles(Backups, "pre-migration_*.db")) + BackupSidecar.Suffix);
        Assert.Equal("2 values set to NULL", (string?)sidecar.Rehearsal!["summary"]);
        Assert.Empty(Directory.GetFiles(Backups, ".*.tmp*"));
    }

    [Fact]
    public void Reverting_past_an_irreversible_Down_is_a_MIMO303_refusal_and_with_backups_off_exactly_what_EF_does()
    {
        Seed(RehearsalMigrations.BlankBodies);

        using (var context = Context())
        {
            var refusal = Assert.Throws<MimoBackupException>(() => context.Database.Migrate(RehearsalMigrations.Create));
            Assert.Equal("MIMO303", refusal.Error.Code);
            Assert.Contains(RehearsalMigrations.BlankBodies, refusal.Message, StringComparison.Ordinal);
            Assert.Contains("cannot be undone", refusal.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, History().Length);

        var lines = new List<string>();
        using (var context = Context(lines, o => o.Enabled(false)))
        {
            var plain = Assert.Throws<NotSupportedException>(() => context.Database.Migrate(RehearsalMigrations.Create));
            Assert.Contains("cannot be undone", plain.Message, StringComparison.Ordinal);
        }

        Assert.Single(lines, l => l.StartsWith("Mimo: ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("plan for", StringComparison.Ordinal));
    }

    [Fact]
    public void An_UPDATE_with_a_WHERE_that_NULLs_values_is_refused_with_a_skip_and_no_fresh_backup()
    {
        Seed(RehearsalMigrations.Create);

        using var context = Context(mimo: o => o.SkipBackup());
        var refusal = Assert.Throws<MimoBackupException>(() => context.Database.Migrate(RehearsalMigrations.BlankBodies));

        Assert.Equal("MIMO301", refusal.Error.Code);
        Assert.Contains("UPDATE Notes SET Body = NULL WHERE Id > 1", refusal.Message, StringComparison.Ordinal);
        Assert.Single(History());
    }

    [Fact]
    public void A_skip_covered_by_a_fresh_backup_is_compared_with_it_after_migrating()
    {
        Seed(RehearsalMigrations.Create);
        BackupWriter.Take(TempFolder.Request(Database, Backups), CancellationToken.None);

        var lines = new List<string>();
        using (var context = Context(lines, o => o.SkipBackup()))
        {
            context.Database.Migrate(RehearsalMigrations.BlankBodies);
        }

        Assert.Contains(lines, l => l.Contains("covered by", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Mimo: after migrating", StringComparison.Ordinal) && l.Contains("2 values set to NULL", StringComparison.Ordinal));
    }

    [Fact]
    public void A_live_update_that_fails_after_a_good_rehearsal_reports_what_was_committed_and_lost_so_far()
    {
        Seed(RehearsalMigrations.BlankBodies, "INSERT INTO Notes (Body, Code) VALUES ('only', 'a')");
        var lines = new List<string>();
        using (var context = Context(lines))
        {
            // A concurrent writer between the snapshot and the update: the rehearsal (one row) passes, the live
            // database (two rows) fails the unique index after SameCodes committed.
            var migrator = Assert.IsType<Internal.BackupMigrator>(context.GetService<IMigrator>());
            migrator.AfterSnapshot = _ =>
            {
                using var writer = TempFolder.Open(Database);
                TempFolder.Execute(writer, "INSERT INTO Notes (Body, Code) VALUES ('late', 'z')");
            };

            Assert.ThrowsAny<Exception>(() => context.Database.Migrate());
        }

        var failure = Assert.Single(lines, l => l.StartsWith("Mimo: the migration failed", StringComparison.Ordinal));
        Assert.Contains("MimoRestoreFrom=pre-migration_", failure, StringComparison.Ordinal);
        Assert.Contains("1 of 2 migrations had been committed (SameCodes)", failure, StringComparison.Ordinal);
        Assert.Contains("1 row inserted", failure, StringComparison.Ordinal);
        Assert.Contains(new AuditLog(Backups).Read(), l => (string?)l["event"] == "migration-failed");
    }

    [Fact]
    public void A_write_lock_held_by_another_connection_during_the_update_is_MIMO103_not_SQLites_raw_error()
    {
        Seed(RehearsalMigrations.Create);
        Microsoft.Data.Sqlite.SqliteConnection? holder = null;
        try
        {
            using var context = new RehearsalContext($"Data Source={Database};Default Timeout=1", Backups, [], null);
            var migrator = Assert.IsType<Internal.BackupMigrator>(context.GetService<IMigrator>());
            migrator.AfterSnapshot = _ =>
            {
                // Another process's writer: it takes the write lock after the snapshot and keeps it.
                holder = TempFolder.Open(Database);
                TempFolder.Execute(holder, "BEGIN IMMEDIATE");
            };

            var error = Assert.Throws<MimoBackupException>(() => context.Database.Migrate(RehearsalMigrations.BlankBodies));
            Assert.Equal("MIMO103", error.Error.Code);
        }
        finally
        {
            holder?.Dispose();
        }

        Assert.Single(History());
    }

    [Fact]
    public void MimoRehearse_false_migrates_straight_after_the_backup()
    {
        Seed(RehearsalMigrations.Create);
        var lines = new List<string>();
        using (var context = Context(lines, o => o.Rehearse(false)))
        {
            context.Database.Migrate(RehearsalMigrations.BlankBodies);
        }

        Assert.DoesNotContain(lines, l => l.Contains("rehears", StringComparison.Ordinal) && !l.Contains("after migrating", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Mimo: after migrating", StringComparison.Ordinal));
    }
}

public sealed class RehearsalContext(string connectionString, string backups, List<string> lines, Action<MimoBackupOptionsBuilder>? mimo) : DbContext
{
    protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseTestSqlite(connectionString, backups, lines, mimo);
}

internal static class RehearsalMigrations
{
    public const string Create = "20260401000000_CreateNotes";
    public const string BlankBodies = "20260402000000_BlankBodies";
    public const string SameCodes = "20260403000000_SameCodes";
    public const string UniqueCode = "20260404000000_UniqueCode";
}

[DbContext(typeof(RehearsalContext))]
[Migration(RehearsalMigrations.Create)]
public sealed class RehearsalCreateNotes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.Sql("CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT, Code TEXT);");
}

[DbContext(typeof(RehearsalContext))]
[Migration(RehearsalMigrations.BlankBodies)]
public sealed class RehearsalBlankBodies : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("UPDATE Notes SET Body = NULL WHERE Id > 1;");

    protected override void Down(MigrationBuilder migrationBuilder) => throw new NotSupportedException("The blanked bodies cannot be undone.");
}

[DbContext(typeof(RehearsalContext))]
[Migration(RehearsalMigrations.SameCodes)]
public sealed class RehearsalSameCodes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("UPDATE Notes SET Code = 'same';");
}

[DbContext(typeof(RehearsalContext))]
[Migration(RehearsalMigrations.UniqueCode)]
public sealed class RehearsalUniqueCode : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("CREATE UNIQUE INDEX IX_Notes_Code ON Notes (Code);");
}
