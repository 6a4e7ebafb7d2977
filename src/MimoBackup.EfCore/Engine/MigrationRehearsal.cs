using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;

namespace MimoBackup.EfCore.Engine;

/// <summary>What the rehearsal of an update found: its exact changes, or the migration it failed at and why.</summary>
internal sealed record RehearsalResult(DataChangeReport? Report, string? FailedMigration, string? Error, TimeSpan Duration)
{
    public bool Passed => Report is not null;
}

/// <summary>
/// Runs an update on a private copy of a verified snapshot with EF's own migrator — the same migrations, SQL,
/// transactions and target — by pointing the context at the copy for the time it takes (SPEC §10).
/// </summary>
internal static class MigrationRehearsal
{
    /// <summary>Null when the app holds its connection open: it cannot be pointed at a copy.</summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Migration generation currently isn't compatible with trimming")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Migrations operations are not supported with NativeAOT")]
    public static RehearsalResult? Run(
        DbContext context, IMigrator efMigrator, string snapshot, string workFolder, string? targetMigration, MigrationPlan plan,
        string historyTable, IReadOnlyCollection<string> ignoredTables, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        if (context.Database.GetDbConnection().State != System.Data.ConnectionState.Closed)
        {
            return null;
        }

        // A leftover name (".….tmp"): a rehearsal killed half-way is cleaned up like an unfinished backup.
        var copy = Path.Combine(workFolder, $".{Path.GetFileName(snapshot)}.rehearsal{BackupWriter.TemporarySuffix}");
        var original = context.Database.GetConnectionString();
        var clock = Stopwatch.StartNew();
        try
        {
            File.Copy(snapshot, copy, overwrite: true);
            Exception? failure = null;
            context.Database.SetConnectionString(new SqliteConnectionStringBuilder(original) { DataSource = copy, Pooling = false }.ToString());
            try
            {
                efMigrator.Migrate(targetMigration);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = e;
            }
            finally
            {
                context.Database.CloseConnection();
                context.Database.SetConnectionString(original);
            }

            if (failure is not null)
            {
                return new RehearsalResult(null, FailedMigration(copy, plan, historyTable, busyTimeout), failure.GetBaseException().Message.Trim().TrimEnd('.'), clock.Elapsed);
            }

            var report = DataChanges.Compare(snapshot, copy, ignoredTables, busyTimeout, cancellationToken);
            return new RehearsalResult(report, null, null, clock.Elapsed);
        }
        finally
        {
            foreach (var file in new[] { copy, copy + "-wal", copy + "-shm", copy + "-journal" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>The migration the rehearsal stopped at: the first of the plan whose step is not in the copy's history.</summary>
    private static string? FailedMigration(string copy, MigrationPlan plan, string historyTable, TimeSpan busyTimeout)
    {
        var applied = DatabaseContent.AppliedMigrations(copy, busyTimeout, historyTable);
        return plan.ToRevert.FirstOrDefault(applied.Contains) ?? plan.ToApply.FirstOrDefault(id => !applied.Contains(id));
    }
}
