using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoBackupVerify</c>: checks one backup, or every backup in the folder (or the mirror, or the remote), again.</summary>
internal static class VerifyCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var json = CommandJson.Format(options) == "json";
        var store = CommandSource.Store(target, options);
        var catalog = CommandSource.Reading(store, () => BackupCatalog.Read(store));

        // A remote written with another key is a key to set, not a damaged backup to record as failed.
        CommandSource.RequireKeys(store, catalog);
        if (options.Flag("RestoreTest"))
        {
            return Drill(target, options, store, catalog, json ? new JsonOutput(output) : output, clock, cancellationToken);
        }

        // With -p:MimoOutput=json the results are one JSON document; failures are still errors, once each.
        output = json ? new JsonOutput(output) : output;

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
            (output as JsonOutput)?.Print(new JsonObject { ["database"] = target.DatabasePath, ["store"] = store.Location, ["failed"] = 0, ["results"] = new JsonArray() });
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
                BackupMetrics.VerificationFailed(target.DatabasePath, "verify");
                output.Error(new MimoBackupException(MimoError.BackupCheckFailed, entry.FileName, detail.Detail));
            }
        }

        // The store is named: a damaged remote copy must not mark the local backup of the same name as failed.
        var record = new JsonObject { ["database"] = target.DatabasePath, ["store"] = store.Location, ["failed"] = failed, ["results"] = results };
        // Append takes the nodes it is given: the printed record is a copy.
        new AuditLog(target.BackupFolder).Append("verify", (JsonObject)record.DeepClone(), clock.GetUtcNow());
        output.Information($"{Prefix}{chosen.Count - failed} of {chosen.Count} backup{(chosen.Count == 1 ? "" : "s")} passed.");
        (output as JsonOutput)?.Print(record);
        return failed == 0 ? MimoExitCode.Done : MimoExitCode.VerificationFailed;
    }

    /// <summary>
    /// The restore drill: the named backup, else the newest verified one, restored into a temporary database and checked
    /// there (integrity, rows, migration history a prefix of the app's); recorded as a <c>verify</c> line.
    /// </summary>
    private static MimoExitCode Drill(CommandTarget target, CommandOptions options, IBackupStore store, IReadOnlyList<CatalogEntry> catalog, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var entry = (options["BackupName"] is { } name ? BackupCatalog.Find(catalog, name) : BackupCatalog.NewestVerified(catalog))
            ?? throw new MimoBackupException(MimoError.BackupNotFound, options["BackupName"] ?? "a verified backup", store.Location);
        output.Information($"{Prefix}restore drill: restoring {entry.FileName} ({Size(entry.SizeBytes)}) into a temporary database…");
        RestoreDrillResult result;
        if (store is ObjectBackupStore)
        {
            using var download = Fetch(store, entry, target, cancellationToken, out var failure);
            result = download is null
                ? new RestoreDrillResult(false, failure!)
                : RestoreDrill.Run(download.Path, entry.Sidecar!, target.AppMigrations, target.HistoryTable, target.BackupFolder, target.BusyTimeout, cancellationToken);
        }
        else
        {
            result = RestoreDrill.Run(entry.Path, entry.Sidecar!, target.AppMigrations, target.HistoryTable, target.BackupFolder, target.BusyTimeout, cancellationToken);
        }

        var results = new JsonArray { new JsonObject { ["backup"] = entry.Path, ["passed"] = result.Passed, ["detail"] = result.Detail } };
        var record = new JsonObject
        {
            ["database"] = target.DatabasePath,
            ["store"] = store.Location,
            ["restoreTest"] = true,
            ["failed"] = result.Passed ? 0 : 1,
            ["results"] = results,
        };
        // Append takes the nodes it is given: the printed record is a copy.
        new AuditLog(target.BackupFolder).Append("verify", (JsonObject)record.DeepClone(), clock.GetUtcNow());
        (output as JsonOutput)?.Print(record);
        if (!result.Passed)
        {
            BackupMetrics.VerificationFailed(target.DatabasePath, "restore-test");
            output.Error(new MimoBackupException(MimoError.BackupCheckFailed, entry.FileName, result.Detail));
            return MimoExitCode.VerificationFailed;
        }

        output.Information($"{Prefix}ok      {entry.FileName}: {result.Detail}.");
        return MimoExitCode.Done;
    }

    /// <summary>A remote backup downloaded for a check, or null with why it could not be.</summary>
    private static RemoteDownload? Fetch(IBackupStore store, CatalogEntry entry, CommandTarget target, CancellationToken cancellationToken, out string? failure)
    {
        failure = null;
        try
        {
            return RemoteDownload.Fetch(store, entry.FileName, entry.SizeBytes, target.BackupFolder, cancellationToken);
        }
        catch (EncryptionKeyMismatchException e)
        {
            throw e.ToMimo();
        }
        catch (IOException e)
        {
            // A download that breaks off (the SDK's own ETag check of a damaged object, say) is a failed check.
            failure = "its download failed: " + e.Message.TrimEnd('.');
            return null;
        }
    }

    /// <summary>A local backup is checked where it is; a remote one is downloaded (and decrypted) first, then checked the same way.</summary>
    private static BackupCheckResult Check(IBackupStore store, CatalogEntry entry, CommandTarget target, CancellationToken cancellationToken)
    {
        if (store is not ObjectBackupStore)
        {
            return BackupCheck.Run(entry.Path, entry.Sidecar, target.Settings.Verify, cancellationToken);
        }

        using var download = Fetch(store, entry, target, cancellationToken, out var failure);
        return download is null
            ? new BackupCheckResult(false, failure!, null)
            : BackupCheck.Run(download.Path, entry.Sidecar, target.Settings.Verify, cancellationToken);
    }

    /// <summary>The output of a verify that prints its results as JSON: the lines are held back, errors and warnings pass.</summary>
    private sealed class JsonOutput(ICommandOutput inner) : ICommandOutput
    {
        public void Information(Microsoft.Extensions.Logging.EventId id, string line)
        {
        }

        public void Warning(Microsoft.Extensions.Logging.EventId id, string line) => inner.Warning(id, line);

        public void Error(MimoBackupException error) => inner.Error(error);

        public void Print(JsonObject record) => inner.Information(record.ToJsonString(CommandJson.Plain));
    }
}
