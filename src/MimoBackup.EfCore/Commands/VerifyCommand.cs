using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoBackupVerify</c>: checks one backup, or every backup in the folder (or the mirror, or the remote), again.</summary>
internal static class VerifyCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var store = CommandSource.Store(target, options);
        var catalog = CommandSource.Reading(store, () => BackupCatalog.Read(store));
        IReadOnlyList<CatalogEntry> chosen;
        if (options["BackupName"] is { } name)
        {
            var file = name.EndsWith(".db", StringComparison.Ordinal) ? name : name + ".db";
            var entry = catalog.FirstOrDefault(e => e.FileName == file && e.State != CatalogState.Leftover)
                ?? BackupCatalog.Find(catalog, name)
                ?? throw new MimoBackupException(MimoError.BackupNotFound, name, store.Location);
            chosen = [entry];
        }
        else
        {
            chosen = [.. catalog.Where(e => e.State != CatalogState.Leftover)];
        }

        if (chosen.Count == 0)
        {
            output.Information($"{Prefix}no backups in {Display(store.Location)} to verify.");
            return MimoExitCode.Done;
        }

        var failed = 0;
        var results = new JsonArray();
        foreach (var entry in chosen)
        {
            var detail = entry.State == CatalogState.Incomplete
                ? new BackupCheckResult(false, "it is incomplete: " + entry.Problem, null)
                : Check(store, entry, target, cancellationToken);
            results.Add(new JsonObject { ["backup"] = entry.Path, ["passed"] = detail.Passed, ["detail"] = detail.Detail });
            if (detail.Passed)
            {
                output.Information($"{Prefix}ok      {entry.FileName}: {detail.Detail}.");
            }
            else
            {
                failed++;
                output.Error(new MimoBackupException(MimoError.BackupCheckFailed, entry.FileName, detail.Detail));
            }
        }

        // The store is named: a damaged remote copy must not mark the local backup of the same name as failed.
        new AuditLog(target.BackupFolder).Append("verify", new JsonObject { ["database"] = target.DatabasePath, ["store"] = store.Location, ["failed"] = failed, ["results"] = results }, clock.GetUtcNow());
        output.Information($"{Prefix}{chosen.Count - failed} of {chosen.Count} backup{(chosen.Count == 1 ? "" : "s")} passed.");
        return failed == 0 ? MimoExitCode.Done : MimoExitCode.VerificationFailed;
    }

    /// <summary>A local backup is checked where it is; a remote one is downloaded (and decrypted) first, then checked the same way.</summary>
    private static BackupCheckResult Check(IBackupStore store, CatalogEntry entry, CommandTarget target, CancellationToken cancellationToken)
    {
        if (store is not ObjectBackupStore)
        {
            return BackupCheck.Run(entry.Path, entry.Sidecar, target.Settings.Verify, cancellationToken);
        }

        RemoteDownload download;
        try
        {
            download = RemoteDownload.Fetch(store, entry.FileName, target.BackupFolder, cancellationToken);
        }
        catch (EncryptionKeyMismatchException e)
        {
            throw e.ToMimo();
        }
        catch (IOException e)
        {
            return new BackupCheckResult(false, "its download failed: " + e.Message.TrimEnd('.'), null);
        }

        using (download)
        {
            return BackupCheck.Run(download.Path, entry.Sidecar, target.Settings.Verify, cancellationToken);
        }
    }
}
