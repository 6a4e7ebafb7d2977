using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.HealthChecks;

/// <summary>
/// The health of one DbContext's backups, read from the backup folder and its audit log alone: no network, no lock on
/// the database beyond EF's own pending-migrations query.
/// </summary>
internal sealed class MimoBackupHealthCheck<TContext>(IServiceScopeFactory scopes, MimoBackupHealthCheckOptions options, TimeProvider clock) : IHealthCheck
    where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var code = db.GetService<IDbContextOptions>().FindExtension<MimoBackupOptionsExtension>()?.Settings;
        var settings = MimoSettings.FromProcess([db.GetType().Assembly, Assembly.GetEntryAssembly()], code);
        if (DatabaseLocation.FromConnectionString(db.Database.GetConnectionString(), Directory.GetCurrentDirectory()).Path is not { } database)
        {
            return HealthCheckResult.Healthy("in-memory database: nothing to back up");
        }

        var folder = settings.BackupFolderFor(database);
        BackupMetrics.Watch(database, folder);
        var catalog = await Task.Run(() => BackupCatalog.Read(folder).Where(e => e.Sidecar is not { } s || s.Source.Path == database).ToList(), cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var newest = BackupCatalog.NewestVerified(catalog);
        var data = new Dictionary<string, object>
        {
            ["database"] = database,
            ["backupFolder"] = folder,
            ["completeBackups"] = catalog.Count(e => e.State == CatalogState.Complete),
        };
        if (newest is not null)
        {
            data["newestVerified"] = newest.FileName;
            data["newestVerifiedAgeSeconds"] = (long)(now - newest.CreatedUtc).TotalSeconds;
        }

        var problems = new List<string>();
        if (newest is null)
        {
            problems.Add("no verified backup");
        }
        else if (now - newest.CreatedUtc > options.MaxBackupAge)
        {
            problems.Add($"the newest verified backup {newest.FileName} is {Age(now - newest.CreatedUtc)} old (limit {Age(options.MaxBackupAge)})");
        }

        // The newest backup's latest re-verification (or drill) failed: the folder's best restore point is in doubt.
        if (catalog.FirstOrDefault(e => e.State == CatalogState.Complete) is { FailedCheck: { } failed } latest)
        {
            problems.Add($"the newest backup {latest.FileName} failed its last verification: {failed}");
        }

        if (options.RequireRemoteCopy && settings.Remote is { } remote && newest is not null
            && BackupMirror.LatestCopy(new LocalFolderStore(folder), OffSiteKind.Remote, newest.FileName) is not { Ok: true })
        {
            problems.Add($"the newest verified backup {newest.FileName} is not on {remote.Text}");
        }

        if (problems.Count > 0)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, string.Join("; ", problems), data: data);
        }

        if (options.ReportPendingMigrations && (await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList() is { Count: > 0 } pending)
        {
            data["pendingMigrations"] = pending;
            return HealthCheckResult.Degraded($"{pending.Count} pending migration{(pending.Count == 1 ? "" : "s")} ({string.Join(", ", pending.Take(3))}{(pending.Count > 3 ? ", …" : "")})", data: data);
        }

        return HealthCheckResult.Healthy($"newest verified backup {newest!.FileName}, {Age(now - newest.CreatedUtc)} old", data);
    }

    private static string Age(TimeSpan age)
        => age.TotalDays >= 2 ? ((int)age.TotalDays).ToString(CultureInfo.InvariantCulture) + " days"
            : age.TotalHours >= 1 ? ((int)age.TotalHours).ToString(CultureInfo.InvariantCulture) + " h"
            : ((int)age.TotalMinutes).ToString(CultureInfo.InvariantCulture) + " min";
}
