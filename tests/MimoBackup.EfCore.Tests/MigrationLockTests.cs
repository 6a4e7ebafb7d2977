using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>EF's <c>__EFMigrationsLock</c> row left behind by a killed migration, with real processes holding the file.</summary>
public sealed class MigrationLockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    [Fact]
    public void A_leftover_lock_is_refused_while_another_process_has_the_database_open_and_released_once_it_is_gone()
    {
        using (var first = new RuntimeContext("Data Source=" + Database, Backups, []))
        {
            first.Database.Migrate(RuntimeMigrations.First);
        }

        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "INSERT INTO Notes (Body) VALUES ('kept'), (NULL)");
            // What a kill -9 between EF's lock insert and its delete leaves behind.
            TempFolder.Execute(connection, "INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-12-01 10:00:00+00:00')");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var holder = HoldOpen(Database);
        var before = TempFolder.Hash(Database);

        using (var refused = new RuntimeContext("Data Source=" + Database, Backups, []))
        {
            var refusal = Assert.Throws<MimoBackupException>(() => refused.Database.Migrate());
            Assert.Equal("MIMO110", refusal.Error.Code);
            Assert.Contains(holder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Message, StringComparison.Ordinal);
            Assert.Contains("DELETE FROM", refusal.Message, StringComparison.Ordinal);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(before, TempFolder.Hash(Database));
        Assert.False(Directory.Exists(Backups) && Directory.GetFiles(Backups, "*.db").Length > 0, "a refused update takes no backup");
        Assert.Equal("refusal", (string?)new AuditLog(Backups).Read().Last()["event"]);

        holder.Kill();
        holder.WaitForExit();

        var lines = new List<string>();
        using (var context = new RuntimeContext("Data Source=" + Database, Backups, lines))
        {
            context.Database.Migrate();
        }

        Assert.Contains(lines, l => l.Contains("released EF's migration lock", StringComparison.Ordinal));
        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
        Assert.Equal(0, TempFolder.Scalar(Database, "SELECT count(*) FROM \"__EFMigrationsLock\""));
        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
        Assert.Contains(new AuditLog(Backups).Read(), line => (string?)line["event"] == "lock-released");
        Assert.Single(Directory.GetFiles(Backups, "*.db"));
    }

    [Fact]
    public async Task A_leftover_lock_is_released_when_nothing_is_pending_and_with_backups_off_too()
    {
        using (var first = new RuntimeContext("Data Source=" + Database, Backups, []))
        {
            first.Database.Migrate();
        }

        foreach (var enabled in new[] { true, false })
        {
            using (var connection = TempFolder.Open(Database))
            {
                TempFolder.Execute(connection, "INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-12-01 10:00:00+00:00')");
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var lines = new List<string>();
            using (var context = new RuntimeContext("Data Source=" + Database, Backups, lines, o => o.Enabled(enabled)))
            {
                // Without the release EF waits for this row forever; a task with a limit turns that into a failure.
                await Task.Run(() => context.Database.Migrate()).WaitAsync(TimeSpan.FromSeconds(60));
            }

            Assert.Contains(lines, l => l.Contains("released EF's migration lock", StringComparison.Ordinal));
            Assert.Equal(0, TempFolder.Scalar(Database, "SELECT count(*) FROM \"__EFMigrationsLock\""));
        }
    }

    [Fact]
    public void No_lock_table_or_an_empty_one_is_no_leftover()
    {
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "CREATE TABLE t (x)");
        }

        Assert.Null(MigrationLock.Find(Database, TimeSpan.FromSeconds(1)));

        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "CREATE TABLE \"__EFMigrationsLock\" (\"Id\" INTEGER PRIMARY KEY, \"Timestamp\" TEXT NOT NULL)");
        }

        Assert.Null(MigrationLock.Find(Database, TimeSpan.FromSeconds(1)));
    }

    /// <summary>A real other process with the database open (a shell holding a descriptor), ready when it says so.</summary>
    private static Process HoldOpen(string database)
    {
        var start = new ProcessStartInfo("bash", ["-c", "exec 3<\"$0\"; echo ready; exec sleep 120", database]) { RedirectStandardOutput = true };
        var process = Process.Start(start)!;
        Assert.Equal("ready", process.StandardOutput.ReadLine());
        return process;
    }
}
