using System.Globalization;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoBackupList</c>: the backups of a store (the folder, the mirror or the remote), with what the next prune decides for each, as a table or JSON.</summary>
internal static class ListCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock)
    {
        var store = CommandSource.Store(target, options);
        var folder = store.Location;
        var format = CommandJson.Format(options);

        // One scan and one read of the audit log serve both the entries and the retention column, so they never disagree.
        var found = CommandSource.Reading(store, () => BackupCatalog.Scan(store, wholeSidecars: true));
        var audit = found.Count == 0 ? AuditFacts.None : BackupCatalog.ReadAudit(store);
        var catalog = BackupCatalog.Entries(store, found, audit);
        var retention = RetentionOf(found, audit, target.Settings.Retention, clock.GetUtcNow());
        if (format == "json")
        {
            output.Information(CommandJson.Catalog(target, folder, catalog, retention).ToJsonString(CommandJson.Plain));
            return MimoExitCode.Done;
        }

        output.Information($"{Prefix}backups of {Display(target.DatabasePath)} in {Display(folder)}: "
            + $"{catalog.Count(e => e.State == CatalogState.Complete)} complete"
            + (catalog.Any(e => e.State != CatalogState.Complete) ? $", {catalog.Count(e => e.State != CatalogState.Complete)} incomplete or leftover" : "")
            + ".");
        if (catalog.Count == 0)
        {
            output.Information($"{Prefix}no backups yet; take one with {CommandHints.Backup()}");
            return MimoExitCode.Done;
        }

        string[] header = ["NAME", "CREATED (local)", "KIND", "SIZE", "LAST MIGRATION", "VERIFIED", "PINNED", "RETENTION"];
        var rows = catalog.Select(e => new[]
        {
            e.FileName,
            e.CreatedUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            e.Kind,
            Size(e.SizeBytes),
            e.LastMigration ?? "-",
            e.State switch
            {
                CatalogState.Complete => e.Verified ? "yes" : e.FailedCheck is { } failed ? "FAILED MimoBackupVerify: " + failed : "NO: " + e.Sidecar!.Verification.Result,
                _ => "INCOMPLETE: " + e.Problem,
            },
            e.Pinned ? "yes" : "",
            retention(e) is { } decision ? (decision.Keep ? BackupAftercare.Bare(decision.Reason) : "prune deletes: " + BackupAftercare.Bare(decision.Reason)) : "-",
        }).ToList();
        foreach (var line in CommandTable.Lines(header, rows))
        {
            output.Information(line);
        }

        foreach (var leftover in catalog.Where(e => e.State != CatalogState.Complete))
        {
            output.Warning($"{Prefix}{leftover.FileName} is not a restore point: {leftover.Problem}.");
        }

        return MimoExitCode.Done;
    }

    /// <summary>What the next prune decides for each entry: the prune's own decisions on the same scan.</summary>
    private static Func<CatalogEntry, RetentionDecision?> RetentionOf(IReadOnlyList<CatalogItem> found, AuditFacts audit, RetentionPolicy policy, DateTimeOffset now)
    {
        var decisions = BackupPrune.Preview(found, audit, policy, now).ToDictionary(d => d.Name, StringComparer.Ordinal);
        return e => decisions.GetValueOrDefault(e.FileName) ?? decisions.GetValueOrDefault(e.FileName + BackupSidecar.Suffix);
    }
}
