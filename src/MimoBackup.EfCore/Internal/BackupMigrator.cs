using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// Decorates EF Core's <see cref="IMigrator"/>: before the first migration operation touches the database it
/// takes a verified backup, and after migrating it reports every table and column that lost data.
/// </summary>
internal sealed class BackupMigrator(
    IMigrator inner,
    ICurrentDbContext currentContext,
    IHistoryRepository history,
    IMigrationsAssembly migrationsAssembly,
    IMimoOutput output,
    Func<MimoBackupException, Exception> translate) : IMigrator
{
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";

    // EF 9+ keeps its migration lock in this table; its rows come and go with every run.
    internal const string LockTable = MigrationLock.Table;

    internal IMigrator Inner => inner;

    /// <summary>Test seam, passed on to the backup request.</summary>
    internal Action<string>? AfterSnapshot { get; set; }

    [RequiresUnreferencedCode("Migration generation currently isn't compatible with trimming")]
    [RequiresDynamicCode("Migrations operations are not supported with NativeAOT")]
    public void Migrate(string? targetMigration = null)
    {
        var session = Prepare(targetMigration, history.Exists() ? history.GetAppliedMigrations() : [], CancellationToken.None);
        Run(session, () => { inner.Migrate(targetMigration); return Task.CompletedTask; }).GetAwaiter().GetResult();
    }

    [RequiresUnreferencedCode("Migration generation currently isn't compatible with trimming")]
    [RequiresDynamicCode("Migrations operations are not supported with NativeAOT")]
    public async Task MigrateAsync(string? targetMigration = null, CancellationToken cancellationToken = default)
    {
        var applied = await history.ExistsAsync(cancellationToken).ConfigureAwait(false)
            ? await history.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)
            : [];
        var session = await Task.Run(() => Prepare(targetMigration, applied, cancellationToken), cancellationToken).ConfigureAwait(false);
        await Run(session, () => inner.MigrateAsync(targetMigration, cancellationToken)).ConfigureAwait(false);
    }

    [RequiresUnreferencedCode("Migration generation currently isn't compatible with trimming")]
    [RequiresDynamicCode("Migrations operations are not supported with NativeAOT")]
    public string GenerateScript(string? fromMigration = null, string? toMigration = null, MigrationsSqlGenerationOptions options = MigrationsSqlGenerationOptions.Default)
        => inner.GenerateScript(fromMigration, toMigration, options);

    [RequiresDynamicCode("Migrations operations are not supported with NativeAOT")]
    public bool HasPendingModelChanges() => inner.HasPendingModelChanges();

    private async Task Run(MigrationSession? session, Func<Task> migrate)
    {
        try
        {
            await migrate().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (session is not null)
            {
                ReportFailure(session, e);
                if (!session.Covered)
                {
                    session.Aftercare.AfterBackup(session.Backup, DateTimeOffset.UtcNow, CancellationToken.None);
                }
            }

            // Another process holding the write lock past the busy timeout is ours to name, not SQLite's raw error.
            if (e.GetBaseException() is SqliteException { SqliteErrorCode: SqliteFacts.SqliteBusy or SqliteFacts.SqliteLocked } locked)
            {
                var connection = new SqliteConnectionStringBuilder(currentContext.Context.Database.GetConnectionString());
                throw translate(new MimoBackupException(MimoError.DatabaseLocked, locked, connection.DataSource, TimeSpan.FromSeconds(connection.DefaultTimeout)));
            }

            throw;
        }

        if (session is not null)
        {
            Report(session);

            // After the migration, not between the snapshot and it: a slow mirror or a notify command must not leave
            // the app's writes of that time out of the restore point. None of it can fail the migration.
            if (!session.Covered)
            {
                session.Aftercare.AfterBackup(session.Backup, DateTimeOffset.UtcNow, CancellationToken.None);
            }
        }
    }

    private MigrationSession? Prepare(string? targetMigration, IReadOnlyList<HistoryRow> appliedRows, CancellationToken cancellationToken)
    {
        try
        {
            return PrepareCore(targetMigration, appliedRows, cancellationToken);
        }
        catch (MimoBackupException e)
        {
            throw translate(e);
        }
    }

    private MigrationSession? PrepareCore(string? targetMigration, IReadOnlyList<HistoryRow> appliedRows, CancellationToken cancellationToken)
    {
        var context = currentContext.Context;
        if (context.Database.ProviderName != SqliteProvider)
        {
            output.Information(MimoBackupEventId.NoBackupNeeded, $"{Prefix}provider {context.Database.ProviderName} is not SQLite; migrating without a backup.");
            return null;
        }

        var code = context.GetService<IDbContextOptions>().FindExtension<MimoBackupOptionsExtension>()?.Settings;
        var settings = MimoSettings.FromProcess([context.GetType().Assembly, Assembly.GetEntryAssembly()], code);
        var location = DatabaseLocation.FromConnectionString(context.Database.GetConnectionString(), Directory.GetCurrentDirectory());
        if (location.Path is not { } database)
        {
            output.Information(MimoBackupEventId.NoBackupNeeded, $"{Prefix}in-memory database; nothing to back up.");
            return null;
        }

        if (!File.Exists(database))
        {
            output.Information(MimoBackupEventId.NoBackupNeeded, $"{Prefix}{Display(database)} does not exist yet; nothing to back up.");
            return null;
        }

        var busyTimeout = TimeSpan.FromSeconds(new SqliteConnectionStringBuilder(context.Database.GetConnectionString()).DefaultTimeout);
        if (DatabaseContent.IsEmpty(database, busyTimeout))
        {
            output.Information(MimoBackupEventId.NoBackupNeeded, $"{Prefix}{Display(database)} is empty; nothing to back up.");
            return null;
        }

        var targetId = targetMigration is null ? null
            : targetMigration == MigrationPlan.InitialDatabase ? MigrationPlan.InitialDatabase
            : migrationsAssembly.GetMigrationId(targetMigration);
        var plan = MigrationPlan.Compute(appliedRows.Select(r => r.MigrationId), migrationsAssembly.Migrations.Keys, targetId);
        var folder = settings.BackupFolderFor(database);
        var audit = new AuditLog(folder);
        var now = DateTimeOffset.UtcNow;

        // EF takes its lock even when nothing is pending and even with backups off, so a leftover hangs those too.
        ReleaseOrRefuseLeftoverLock(database, busyTimeout, audit, now);
        if (plan.IsEmpty)
        {
            output.Information(MimoBackupEventId.NoBackupNeeded, $"{Prefix}no migration to apply or revert on {Display(database)}; no backup needed.");
            return null;
        }

        var aftercare = new BackupAftercare(settings, folder, output);
        if (!settings.Enabled)
        {
            // Inert: no classification, no rehearsal, no report; EF migrates as it would without the package.
            output.Warning(MimoBackupEventId.BackupsDisabled, $"{Prefix}backups are off ({MimoSettings.EnabledName}=false, from {Describe(settings.EnabledSource)}): "
                + $"about to {plan.Describe()} on {Display(database)} WITHOUT a backup.");
            audit.Append("disabled", new JsonObject
            {
                ["database"] = database,
                ["plan"] = plan.Describe(),
                ["context"] = context.GetType().FullName,
                ["source"] = settings.EnabledSource.ToString(),
            }, now);
            aftercare.Publish(Notifier.Skip(database, $"{MimoSettings.EnabledName}=false from {Describe(settings.EnabledSource)}", now), now);
            return null;
        }

        RefuseIfSchemaIsAheadOfHistory(context, database, plan, folder, busyTimeout, audit, now);
        // Only where the classification decides (a skip) is the database asked whether a drop meets any value.
        var findings = OperationClassifier.ClassifyPlan(plan, migrationsAssembly, context.Database.ProviderName!, DatabaseContent.Columns(database, busyTimeout),
            settings.SkipBackup ? (table, column) => DatabaseContent.HoldsValues(database, busyTimeout, table, column) : null);
        var destructive = findings.Where(f => !f.NoDataAtStake).Select(f => f.Text).ToList();
        output.Information(MimoBackupEventId.PlanReported, $"{Prefix}plan for {Display(database)}: {PlanLine(plan, findings)}");

        var record = new JsonObject
        {
            ["database"] = database,
            ["plan"] = plan.Describe(),
            ["destructive"] = new JsonArray([.. destructive.Select(d => (JsonNode)JsonValue.Create(d))]),
            ["context"] = context.GetType().FullName,
        };

        if (settings.SkipBackup)
        {
            if (settings.SkipBuildId is { } buildId && SkipAlreadyUsed(audit, buildId))
            {
                output.Information(MimoBackupEventId.BackupSkipped, $"{Prefix}{MimoSettings.SkipBackupName} from build {buildId[..8]} was already used once; backing up as usual.");
            }
            else
            {
                record["source"] = settings.SkipSource.ToString();
                record["buildId"] = settings.SkipBuildId;
                var cover = "";
                BackupResult? covering = null;
                if (destructive.Count > 0)
                {
                    // A skip is for safe migrations; a destructive one needs a recent verified backup to fall back on.
                    var answer = FreshBackups.Find(folder, database, TimeSpan.FromMinutes(settings.FreshBackupMinutes), now, busyTimeout, [LockTable], cancellationToken);
                    if (answer.Backup is not { } fresh)
                    {
                        if (answer.WhyNot is { } whyNot)
                        {
                            record["staleBackup"] = whyNot;
                            output.Warning(MimoBackupEventId.NoFreshBackup, $"{Prefix}{whyNot}.");
                        }

                        var refusal = new MimoBackupException(
                            MimoError.DestructiveMigrationRefused, plan.Describe(), Display(database), string.Join("; ", destructive.Take(3)) + (destructive.Count > 3 ? $"; {destructive.Count - 3} more in the plan above" : ""),
                            MimoSettings.SkipBackupName, settings.FreshBackupMinutes, Display(folder), CommandHints.Backup());
                        audit.Append("refusal", record, now);
                        aftercare.Publish(Notifier.Refusal(database, refusal, now), now);
                        throw refusal;
                    }

                    covering = fresh;
                    record["coveredBy"] = fresh.Path;
                    cover = $" The destructive operations are covered by {Display(fresh.Path)} "
                        + $"({(now - fresh.Sidecar.CreatedUtc).TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min old).";
                }

                output.Warning(MimoBackupEventId.BackupSkipped, $"{Prefix}{MimoSettings.SkipBackupName}=true (from {Describe(settings.SkipSource)}): about to {plan.Describe()} "
                    + $"on {Display(database)} WITHOUT a backup. This skip is recorded in {Display(audit.Path)}"
                    + (settings.SkipBuildId is null ? "." : " and honoured once for this build.") + cover);
                audit.Append("skip", record, now);
                aftercare.Publish(Notifier.Skip(database, $"{MimoSettings.SkipBackupName}=true from {Describe(settings.SkipSource)}", now), now);

                // The backup that covers the skip is what the result is compared with after migrating.
                return covering is null ? null
                    : new MigrationSession(database, covering, audit, busyTimeout, HistoryTable(context), aftercare, plan, null) { Covered = true };
            }
        }

        var backup = BackupWriter.Take(
            new BackupRequest
            {
                DatabasePath = database,
                BackupFolder = folder,
                Kind = BackupKind.PreMigration,
                Verify = settings.Verify,
                BusyTimeout = busyTimeout,
                Migrations = new MigrationFacts(plan.Applied, plan.Target, plan.Direction, [.. plan.ToApply, .. plan.ToRevert], destructive),
                Origin = Origin(context),
                AfterSnapshot = AfterSnapshot,
            },
            cancellationToken);

        var session = new MigrationSession(database, backup, audit, busyTimeout, HistoryTable(context), aftercare, plan, null);
        output.Information(MimoBackupEventId.BackupTaken, $"{Prefix}{ReportText.Describe(backup)} before it will {plan.Describe()}. {RestoreHint(session)}");
        AddFacts(record, backup);
        audit.Append("backup", record, now);
        if (!settings.Rehearse)
        {
            return session;
        }

        return session with { Rehearsed = Rehearse(context, session, targetMigration, folder, cancellationToken) };
    }

    /// <summary>
    /// Runs the update on a private copy of the verified backup before one command reaches the database: a failure
    /// there refuses the update (MIMO303); success prints exactly what it will change.
    /// </summary>
    [RequiresUnreferencedCode("Migration generation currently isn't compatible with trimming")]
    [RequiresDynamicCode("Migrations operations are not supported with NativeAOT")]
    private DataChangeReport? Rehearse(DbContext context, MigrationSession session, string? targetMigration, string folder, CancellationToken cancellationToken)
    {
        output.Information(MimoBackupEventId.RehearsalStarting, $"{Prefix}rehearsing on a copy of {Display(session.Backup.Path)}; EF's lines until the rehearsal's result are about that copy.");
        var result = MigrationRehearsal.Run(context, inner, session.Backup.Path, folder, targetMigration, session.Plan, session.HistoryTable, [session.HistoryTable, LockTable], session.BusyTimeout, cancellationToken);
        if (result is null)
        {
            output.Warning(MimoBackupEventId.RehearsalNotPossible, $"{Prefix}not rehearsed: the app holds its database connection open, so it cannot be pointed at a copy. "
                + $"Let EF open the connection, or set {MimoSettings.RehearseName}=false to silence this.");
            return null;
        }

        if (result.Report is not { } report)
        {
            session.Audit.Append("refusal", new JsonObject
            {
                ["database"] = session.Database,
                ["reason"] = "rehearsal-failed",
                ["migration"] = result.FailedMigration,
                ["error"] = result.Error,
                ["backup"] = session.Backup.Path,
            }, DateTimeOffset.UtcNow);
            throw new MimoBackupException(MimoError.RehearsalFailed, result.FailedMigration ?? "(unknown)", result.Error, $"the verified backup {Display(session.Backup.Path)} is kept");
        }

        var text = RehearsalText(result);
        if (report.LosesData)
        {
            output.Warning(MimoBackupEventId.RehearsalCompleted, text);
        }
        else
        {
            output.Information(MimoBackupEventId.RehearsalCompleted, text);
        }

        var record = AuditRecord(session, report);
        record["durationMs"] = (long)result.Duration.TotalMilliseconds;
        session.Audit.Append("rehearsal", record, DateTimeOffset.UtcNow);

        // The sidecar keeps the full report beside the backup it was measured on (rewritten whole, checksum and all).
        var sidecar = session.Backup.Sidecar with { Rehearsal = report.ToJson() };
        FileDurability.WriteAtomically(session.Backup.Path + BackupSidecar.Suffix, sidecar.ToUtf8());
        return report;
    }

    private static JsonObject AuditRecord(MigrationSession session, DataChangeReport report)
    {
        var record = report.ToJson();
        record["database"] = session.Database;
        record["backup"] = session.Backup.Path;
        return record;
    }

    private void Report(MigrationSession session)
    {
        var report = DataChanges.Compare(session.Backup.Path, session.Database, [session.HistoryTable, LockTable], session.BusyTimeout, CancellationToken.None);
        var asRehearsed = session.Rehearsed is { } rehearsed && rehearsed.Summary() == report.Summary() ? " (as rehearsed)" : "";
        var text = $"{Prefix}after migrating{asRehearsed}, against {Display(session.Backup.Path)}: {report.Text()}";
        if (!report.Clean)
        {
            output.Warning(MimoBackupEventId.DataChangesReported, text + Environment.NewLine + RestoreHint(session));
        }
        else
        {
            output.Information(MimoBackupEventId.DataChangesReported, text);
        }

        var record = AuditRecord(session, report);
        record["clean"] = report.Clean;
        session.Audit.Append("comparison", record, DateTimeOffset.UtcNow);
    }

    /// <summary>A live update that failed anyway: the restore command first, then what was applied and lost so far.</summary>
    private void ReportFailure(MigrationSession session, Exception failure)
    {
        var record = new JsonObject { ["database"] = session.Database, ["backup"] = session.Backup.Path, ["error"] = failure.GetBaseException().Message };
        var text = $"{Prefix}the migration failed; {RestoreHint(session)} — it holds the database as it was before.";
        try
        {
            var applied = DatabaseContent.AppliedMigrations(session.Database, session.BusyTimeout, session.HistoryTable);
            var done = session.Plan.ToApply.Where(applied.Contains).Concat(session.Plan.ToRevert.Where(id => !applied.Contains(id))).ToList();
            var steps = session.Plan.ToApply.Count + session.Plan.ToRevert.Count;
            var report = DataChanges.Compare(session.Backup.Path, session.Database, [session.HistoryTable, LockTable], session.BusyTimeout, CancellationToken.None);
            text += $" {DataChangeReport.N(done.Count)} of {DataChangeReport.Plural(steps, "migration")} had been committed"
                + (done.Count == 0 ? "" : $" ({string.Join(", ", done.Take(10).Select(OperationClassifier.Name))}{(done.Count > 10 ? ", …" : "")})")
                + $"; so far: {report.Text()}";
            record["applied"] = new JsonArray([.. done.Select(d => (JsonNode)d)]);
            record["report"] = report.ToJson();
        }
        catch (Exception e) when (e is SqliteException or IOException or MimoBackupException)
        {
            text += $" What it changed could not be measured ({e.Message}).";
        }

        output.Warning(MimoBackupEventId.MigrationFailed, text);
        session.Audit.Append("migration-failed", record, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// A lock row left by a killed migration would make EF wait forever after our backup: released when no other
    /// process has the database open (proven from /proc), refused with the exact remedy otherwise.
    /// </summary>
    private void ReleaseOrRefuseLeftoverLock(string database, TimeSpan busyTimeout, AuditLog audit, DateTimeOffset now)
    {
        if (MigrationLock.Find(database, busyTimeout) is not { } leftover)
        {
            return;
        }

        var record = new JsonObject { ["database"] = database, ["since"] = leftover.Since };
        if (MigrationLock.CanProveNobodyHolds(leftover))
        {
            MigrationLock.Release(database, busyTimeout);
            output.Warning(MimoBackupEventId.MigrationLockReleased, $"{Prefix}released EF's migration lock on {Display(database)} (taken {leftover.Since}): no process has the database open, "
                + "so it was left by a migration that was killed.");
            audit.Append("lock-released", record, now);
            return;
        }

        var one = leftover.HoldingProcesses.Count == 1;
        var why = leftover.HoldingProcesses.Count > 0
            ? $"may belong to a migration still running ({(one ? "process" : "processes")} {string.Join(", ", leftover.HoldingProcesses)} {(one ? "has" : "have")} the database open)"
            : "cannot be proven stale here (the open files of every process cannot be read)";
        record["holders"] = new JsonArray([.. leftover.HoldingProcesses.Select(p => (JsonNode)p)]);
        audit.Append("refusal", record, now);
        throw new MimoBackupException(MimoError.StaleMigrationLock, Display(database), leftover.Since, why);
    }

    /// <summary>
    /// An update killed between two of EF's transactions (a SQLite table rebuild commits before its history row is
    /// written) leaves a schema its history does not account for. The newest backup of the database tells: when it is a
    /// pre-migration backup whose history is still the database's, the update it was taken for did not finish, and its
    /// schema must still be the database's.
    /// </summary>
    private static void RefuseIfSchemaIsAheadOfHistory(DbContext context, string database, MigrationPlan plan, string folder, TimeSpan busyTimeout, AuditLog audit, DateTimeOffset now)
    {
        var source = Path.GetFullPath(database);
        var newest = BackupCatalog.Read(folder).FirstOrDefault(e => e.State == CatalogState.Complete
            && string.Equals(Path.GetFullPath(e.Sidecar!.Source.Path), source, StringComparison.Ordinal));
        if (newest?.Sidecar is not { Kind: BackupKind.PreMigration, Migrations: { } facts } || !facts.Applied.SequenceEqual(plan.Applied, StringComparer.Ordinal))
        {
            return;
        }

        var differences = DatabaseContent.SchemaDifferences(newest.Path, database, busyTimeout, [HistoryTable(context), LockTable]);
        if (differences.Count == 0)
        {
            return;
        }

        audit.Append("refusal", new JsonObject
        {
            ["database"] = database,
            ["reason"] = "schema-ahead-of-history",
            ["backup"] = newest.Path,
            ["differences"] = new JsonArray([.. differences.Select(d => (JsonNode)d)]),
        }, now);
        throw new MimoBackupException(MimoError.SchemaAheadOfHistory, Display(database), newest.FileName, string.Join(", ", differences), CommandHints.Restore(newest.Path), CommandHints.Backup());
    }

    private static bool SkipAlreadyUsed(AuditLog audit, string buildId)
        => audit.Read().Any(line => (string?)line["event"] is "skip" or "refusal" && (string?)line["buildId"] == buildId); // A refused skip is used up too.

    internal static string HistoryTable(DbContext context)
        => RelationalOptionsExtension.Extract(context.GetService<IDbContextOptions>()).MigrationsHistoryTableName ?? HistoryRepository.DefaultTableName;

    internal static OriginFacts Origin(DbContext context)
    {
        var app = context.GetType().Assembly.GetName();
        return new OriginFacts(
            context.GetType().FullName,
            app.Name,
            VersionOf(context.GetType().Assembly),
            VersionOf(typeof(DbContext).Assembly),
            VersionOf(typeof(BackupMigrator).Assembly) ?? "unknown",
            Environment.MachineName,
            Environment.UserName);
    }

    internal static string? VersionOf(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString();
        return version?.Split('+')[0]; // The SDK appends the commit; the sidecar wants the version a user recognises.
    }

    private static string Describe(SettingSource source)
        => source switch
        {
            SettingSource.Environment => "the environment",
            SettingSource.MSBuild => "the build",
            SettingSource.Code => "UseMimoBackup",
            _ => "the default",
        };

    private static string RestoreHint(MigrationSession session)
        => "To restore it: " + CommandHints.Restore(session.Backup.Path);

    /// <summary>A backup's facts in its audit line, the same whichever front-end took it.</summary>
    internal static JsonObject AddFacts(JsonObject record, BackupResult backup)
    {
        record["backup"] = backup.Path;
        record["sha256"] = backup.Sidecar.Sha256;
        record["sizeBytes"] = backup.Sidecar.SizeBytes;
        record["pinned"] = backup.Sidecar.Pinned;
        record["durationMs"] = (long)backup.Duration.TotalMilliseconds;
        return record;
    }

    private sealed record MigrationSession(string Database, BackupResult Backup, AuditLog Audit, TimeSpan BusyTimeout, string HistoryTable, BackupAftercare Aftercare, MigrationPlan Plan, DataChangeReport? Rehearsed)
    {
        /// <summary>A skip covered by an existing fresh backup: compared with it afterwards, but it is not a new backup.</summary>
        public bool Covered { get; init; }
    }
}
