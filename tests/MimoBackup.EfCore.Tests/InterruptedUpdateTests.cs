using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// An update killed with kill -9 after EF committed part of a migration (as a SQLite table rebuild does before its
/// history row): the schema is ahead of the history, and EF would run the migration again on it.
/// </summary>
public sealed class InterruptedUpdateTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    [Fact]
    public void A_killed_update_that_left_its_schema_ahead_of_its_history_is_refused_with_the_backup_to_restore()
    {
        using (var first = new InterruptedContext("Data Source=" + Database, Backups))
        {
            first.Database.Migrate(InterruptedMigrations.First);
        }

        using (var connection = TempFolder.Open(Database))
        {
            // Enough counting to keep the second migration busy until it is killed.
            TempFolder.Execute(connection, "INSERT INTO Notes (Body) VALUES ('kept'), (NULL); INSERT INTO Knob (n) VALUES (1000000000000)");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        KillWhileMigrating();
        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM sqlite_schema WHERE name = 'Extra'"));
        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
        var backup = Assert.Single(Directory.GetFiles(Backups, "pre-migration_*.db"));

        var lines = new List<string>();
        using (var again = new InterruptedContext("Data Source=" + Database, Backups, lines))
        {
            var refusal = Assert.Throws<MimoBackupException>(() => again.Database.Migrate());
            log.WriteLine(refusal.Message);
            Assert.Equal("MIMO111", refusal.Error.Code);
            Assert.Contains("added table Extra", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("MimoRestoreFrom=" + Path.GetFileName(backup), refusal.Message, StringComparison.Ordinal);
        }

        // The killed process also left EF's lock row; nobody holds the file any more, so it was released first.
        Assert.Contains(lines, l => l.Contains("released EF's migration lock", StringComparison.Ordinal));
        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
        Assert.Single(Directory.GetFiles(Backups, "pre-migration_*.db"));
        Assert.Equal("schema-ahead-of-history", (string?)new AuditLog(Backups).Read().Last()["reason"]);

        // The remedy it names works: restore that backup, and the update runs again from where it was.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Run("dotnet", [RestoreKillTests.RunnerPath, "restore", "--database", Database, "--option", "RestoreFrom=" + Path.GetFileName(backup), "--option", "BackupDir=" + Backups]);
        Assert.Equal(0, TempFolder.Scalar(Database, "SELECT count(*) FROM sqlite_schema WHERE name = 'Extra'"));
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "UPDATE Knob SET n = 1");
        }

        using (var last = new InterruptedContext("Data Source=" + Database, Backups))
        {
            last.Database.Migrate();
        }

        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
    }

    [Fact]
    public void A_failed_update_that_committed_nothing_is_not_mistaken_for_an_interrupted_one()
    {
        using (var first = new InterruptedContext("Data Source=" + Database, Backups))
        {
            first.Database.Migrate(InterruptedMigrations.First);
        }

        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "INSERT INTO Knob (n) VALUES (1)");
        }

        // A pre-migration backup whose history is still the database's, and the same schema: nothing was committed.
        BackupWriter.Take(TempFolder.Request(Database, Backups) with
        {
            Kind = BackupKind.PreMigration,
            Migrations = new MigrationFacts([InterruptedMigrations.First], null, "up", [InterruptedMigrations.Second], []),
        }, CancellationToken.None);

        using (var again = new InterruptedContext("Data Source=" + Database, Backups))
        {
            again.Database.Migrate();
        }

        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
    }

    private void KillWhileMigrating()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "exec", typeof(Program).Assembly.Location, "migrate", Database, Backups })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)
            && TempFolder.Scalar(Database, "SELECT count(*) FROM sqlite_schema WHERE name = 'Extra'") == 0)
        {
            Thread.Sleep(50);
        }

        if (process.HasExited)
        {
            // Only now: standard error ends when the process does.
            Assert.Fail("the migration ended before it could be killed: " + errors.Result);
        }

        Thread.Sleep(300);
        process.Kill();
        process.WaitForExit();
        log.WriteLine(output.Result);
    }

    private void Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        log.WriteLine(process.StandardOutput.ReadToEnd());
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors.Result);
    }
}

public sealed class InterruptedContext(string connectionString, string backups, List<string>? lines = null, bool rehearse = true) : DbContext
{
    protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseTestSqlite(connectionString, backups, lines, o => o.Rehearse(rehearse));
}

internal static class InterruptedMigrations
{
    public const string First = "20260301000000_CreateNotes";
    public const string Second = "20260302000000_AddExtra";
}

[DbContext(typeof(InterruptedContext))]
[Migration(InterruptedMigrations.First)]
public sealed class InterruptedCreateNotes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.Sql("CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT); CREATE TABLE Knob (n INTEGER NOT NULL);");
}

/// <summary>
/// Commits a table outside EF's transaction (as the PRAGMA of a table rebuild makes EF do), then counts for as
/// long as <c>Knob.n</c> says inside the next one, before EF writes the history row.
/// </summary>
[DbContext(typeof(InterruptedContext))]
[Migration(InterruptedMigrations.Second)]
public sealed class InterruptedAddExtra : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("CREATE TABLE Extra (Id INTEGER PRIMARY KEY);", suppressTransaction: true);
        migrationBuilder.Sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n FROM Knob)) SELECT count(*) FROM c;");
    }
}
