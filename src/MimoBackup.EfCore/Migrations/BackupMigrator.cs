using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Migrations;

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
    Func<MimoException, Exception> translate) : IMigrator
{
    /// <summary>How every line of the package begins, in every front-end.</summary>
    internal const string Prefix = "Mimo: ";
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
        catch (Exception) when (session is not null)
        {
            output.Warning($"{Prefix}the migration failed; {session.Backup.Path} holds the database as it was before. {RestoreHint(session)}");
            session.Aftercare.AfterBackup(session.Backup, DateTimeOffset.UtcNow, CancellationToken.None);
            throw;
        }

        if (session is not null)
        {
            Report(session);

            // After the migration, not between the snapshot and it: a slow mirror or a notify command must not leave
            // the app's writes of that time out of the restore point. None of it can fail the migration.
            session.Aftercare.AfterBackup(session.Backup, DateTimeOffset.UtcNow, CancellationToken.None);
        }
    }

    private MigrationSession? Prepare(string? targetMigration, IReadOnlyList<HistoryRow> appliedRows, CancellationToken cancellationToken)
    {
        try
        {
            return PrepareCore(targetMigration, appliedRows, cancellationToken);
        }
        catch (MimoException e)
        {
            throw translate(e);
        }
    }

    private MigrationSession? PrepareCore(string? targetMigration, IReadOnlyList<HistoryRow> appliedRows, CancellationToken cancellationToken)
    {
        var context = currentContext.Context;
        if (context.Database.ProviderName != SqliteProvider)
        {
            output.Information($"{Prefix}provider {context.Database.ProviderName} is not SQLite; migrating without a backup.");
            return null;
        }

        var code = context.GetService<IDbContextOptions>().FindExtension<MimoBackupOptionsExtension>()?.Settings;
        var settings = MimoSettings.FromProcess([context.GetType().Assembly, Assembly.GetEntryAssembly()], code);
        var location = DatabaseLocation.FromConnectionString(context.Database.GetConnectionString(), Directory.GetCurrentDirectory());
        if (location.Path is not { } database)
        {
            output.Information($"{Prefix}in-memory database; nothing to back up.");
            return null;
        }

        if (!File.Exists(database))
        {
            output.Information($"{Prefix}{Display(database)} does not exist yet; nothing to back up.");
            return null;
        }

        var busyTimeout = TimeSpan.FromSeconds(new SqliteConnectionStringBuilder(context.Database.GetConnectionString()).DefaultTimeout);
        if (DatabaseContent.IsEmpty(database, busyTimeout))
        {
            output.Information($"{Prefix}{Display(database)} is empty; nothing to back up.");
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
            output.Information($"{Prefix}no migration to apply or revert on {Display(database)}; no backup needed.");
            return null;
        }

        RefuseIfSchemaIsAheadOfHistory(context, database, plan, folder, busyTimeout, audit, now);
        var destructive = OperationClassifier.ClassifyPlan(plan, migrationsAssembly, context.Database.ProviderName!, DatabaseContent.Columns(database, busyTimeout));
        var steps = plan.ToApply.Count + plan.ToRevert.Count;
        output.Information($"{Prefix}plan for {Display(database)}: {steps} migration{(steps == 1 ? "" : "s")}, "
            + (destructive.Count == 0 ? "none destructive." : $"{destructive.Count} destructive: {string.Join("; ", destructive)}."));

        var aftercare = new BackupAftercare(settings, folder, output);
        var record = new JsonObject
        {
            ["database"] = database,
            ["plan"] = plan.Describe(),
            ["destructive"] = new JsonArray([.. destructive.Select(d => (JsonNode)JsonValue.Create(d))]),
            ["context"] = context.GetType().FullName,
        };

        if (!settings.Enabled)
        {
            output.Warning($"{Prefix}backups are off ({MimoSettings.EnabledName}=false, from {Describe(settings.EnabledSource)}): "
                + $"about to {plan.Describe()} on {Display(database)} WITHOUT a backup.");
            record["source"] = settings.EnabledSource.ToString();
            audit.Append("disabled", record, now);
            aftercare.Publish(Notifier.Skip(database, $"{MimoSettings.EnabledName}=false from {Describe(settings.EnabledSource)}", now), now);
            return null;
        }

        if (settings.SkipBackup)
        {
            if (settings.SkipBuildId is { } buildId && SkipAlreadyUsed(audit, buildId))
            {
                output.Information($"{Prefix}{MimoSettings.SkipBackupName} from build {buildId[..8]} was already used once; backing up as usual.");
            }
            else
            {
                record["source"] = settings.SkipSource.ToString();
                record["buildId"] = settings.SkipBuildId;
                var cover = "";
                if (destructive.Count > 0)
                {
                    // A skip is for safe migrations; a destructive one needs a recent verified backup to fall back on.
                    var answer = FreshBackups.Find(folder, database, TimeSpan.FromMinutes(settings.FreshBackupMinutes), now, busyTimeout, [LockTable], cancellationToken);
                    if (answer.Backup is not { } fresh)
                    {
                        if (answer.WhyNot is { } whyNot)
                        {
                            record["staleBackup"] = whyNot;
                            output.Warning($"{Prefix}{whyNot}.");
                        }

                        var refusal = new MimoException(
                            MimoError.DestructiveMigrationRefused, plan.Describe(), database, string.Join("; ", destructive),
                            MimoSettings.SkipBackupName, settings.FreshBackupMinutes, folder, DropGuard.TakeBackupCommand);
                        audit.Append("refusal", record, now);
                        aftercare.Publish(Notifier.Refusal(database, refusal, now), now);
                        throw refusal;
                    }

                    record["coveredBy"] = fresh.Path;
                    cover = $" The destructive operations are covered by {Display(fresh.Path)} "
                        + $"({(now - fresh.Sidecar.CreatedUtc).TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min old).";
                }

                output.Warning($"{Prefix}{MimoSettings.SkipBackupName}=true (from {Describe(settings.SkipSource)}): about to {plan.Describe()} "
                    + $"on {Display(database)} WITHOUT a backup. This skip is recorded in {Display(audit.Path)}"
                    + (settings.SkipBuildId is null ? "." : " and honoured once for this build.") + cover);
                audit.Append("skip", record, now);
                aftercare.Publish(Notifier.Skip(database, $"{MimoSettings.SkipBackupName}=true from {Describe(settings.SkipSource)}", now), now);
                return null;
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

        var session = new MigrationSession(database, backup, audit, busyTimeout, HistoryTable(context), aftercare);
        output.Information($"{Prefix}{Describe(backup)} before it will {plan.Describe()}. {RestoreHint(session)}");
        AddFacts(record, backup);
        audit.Append("backup", record, now);
        return session;
    }

    private void Report(MigrationSession session)
    {
        var report = ComparisonReport.Measure(session.Database, session.Backup.Sidecar.Census, [session.HistoryTable, LockTable], session.BusyTimeout, CancellationToken.None);
        var foreignKeys = report.ForeignKeyViolations.Count == 0
            ? "foreign_key_check ok"
            : "foreign_key_check found orphans: " + string.Join("; ", report.ForeignKeyViolations);
        if (report.Losses.Count == 0)
        {
            output.Information($"{Prefix}after migrating, no table or column lost data; {foreignKeys}.");
        }
        else
        {
            output.Warning($"{Prefix}after migrating, {report.Losses.Count} data loss{(report.Losses.Count == 1 ? "" : "es")} "
                + $"against the backup: {string.Join("; ", report.Losses)}; {foreignKeys}. {RestoreHint(session)}");
        }

        session.Audit.Append(
            "comparison",
            new JsonObject
            {
                ["database"] = session.Database,
                ["backup"] = session.Backup.Path,
                ["clean"] = report.Clean,
                ["losses"] = new JsonArray([.. report.Losses.Select(l => (JsonNode)new JsonObject
                {
                    ["table"] = l.Table, ["column"] = l.Column, ["before"] = l.Before, ["after"] = l.After, ["vanished"] = l.Vanished,
                })]),
                ["foreignKeyViolations"] = new JsonArray([.. report.ForeignKeyViolations.Select(v => (JsonNode)new JsonObject
                {
                    ["table"] = v.Table, ["parent"] = v.Parent, ["rows"] = v.Rows,
                })]),
            },
            DateTimeOffset.UtcNow);
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
            output.Warning($"{Prefix}released EF's migration lock on {Display(database)} (taken {leftover.Since}): no process has the database open, "
                + "so it was left by a migration that was killed.");
            audit.Append("lock-released", record, now);
            return;
        }

        var why = leftover.HoldingProcesses.Count > 0
            ? $"may belong to a migration still running (process{(leftover.HoldingProcesses.Count == 1 ? "" : "es")} {string.Join(", ", leftover.HoldingProcesses)} "
                + "ha" + (leftover.HoldingProcesses.Count == 1 ? "s" : "ve") + " the database open)"
            : "cannot be proven stale here (the open files of every process cannot be read)";
        record["holders"] = new JsonArray([.. leftover.HoldingProcesses.Select(p => (JsonNode)p)]);
        audit.Append("refusal", record, now);
        throw new MimoException(MimoError.StaleMigrationLock, database, leftover.Since, why);
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
        throw new MimoException(MimoError.SchemaAheadOfHistory, database, newest.FileName, string.Join(", ", differences), Commands.ManualCommands.RestoreCommand(newest.Path));
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
        => "To restore it: " + Commands.ManualCommands.RestoreCommand(session.Backup.Path);

    /// <summary>A verified backup as every front-end reports it: file, size, check, census, hash and duration.</summary>
    internal static string Describe(BackupResult backup)
    {
        var sidecar = backup.Sidecar;
        return $"verified backup {Display(backup.Path)} ({Size(sidecar.SizeBytes)}, {sidecar.Verification.Method} {sidecar.Verification.Result}, "
            + $"{sidecar.Tables.Count} tables, {sidecar.Census.TotalRows.ToString("N0", CultureInfo.InvariantCulture)} rows, sha256 {sidecar.Sha256[..12]}…"
            + $"{(sidecar.Pinned ? ", pinned" : "")}) in {backup.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";
    }

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

    internal static string Display(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    internal static string Size(long bytes)
        => bytes switch
        {
            < 1024 => $"{bytes} B",
            < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
            < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
            _ => (bytes / 1073741824.0).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        };

    private sealed record MigrationSession(string Database, BackupResult Backup, AuditLog Audit, TimeSpan BusyTimeout, string HistoryTable, BackupAftercare Aftercare);
}
