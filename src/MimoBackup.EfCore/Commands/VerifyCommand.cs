using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoBackupVerify</c>: checks one backup, or every backup in the folder, again.</summary>
internal static class VerifyCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var catalog = BackupCatalog.Read(target.BackupFolder);
        IReadOnlyList<CatalogEntry> chosen;
        if (options["BackupName"] is { } name)
        {
            var file = name.EndsWith(".db", StringComparison.Ordinal) ? name : name + ".db";
            var entry = catalog.FirstOrDefault(e => e.FileName == file && e.State != CatalogState.Leftover)
                ?? BackupCatalog.Find(catalog, name)
                ?? throw new MimoBackupException(MimoError.BackupNotFound, name, target.BackupFolder);
            chosen = [entry];
        }
        else
        {
            chosen = [.. catalog.Where(e => e.State != CatalogState.Leftover)];
        }

        if (chosen.Count == 0)
        {
            output.Information($"{Prefix}no backups in {Display(target.BackupFolder)} to verify.");
            return MimoExitCode.Done;
        }

        var failed = 0;
        var results = new JsonArray();
        foreach (var entry in chosen)
        {
            var detail = entry.State == CatalogState.Incomplete
                ? new BackupCheckResult(false, "it is incomplete: " + entry.Problem, null)
                : BackupCheck.Run(entry.Path, entry.Sidecar, target.Settings.Verify, cancellationToken);
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

        new AuditLog(target.BackupFolder).Append("verify", new JsonObject { ["database"] = target.DatabasePath, ["failed"] = failed, ["results"] = results }, clock.GetUtcNow());
        output.Information($"{Prefix}{chosen.Count - failed} of {chosen.Count} backup{(chosen.Count == 1 ? "" : "s")} passed.");
        return failed == 0 ? MimoExitCode.Done : MimoExitCode.VerificationFailed;
    }
}
