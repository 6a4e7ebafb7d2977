using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoImport</c>: a JSON export's rows loaded into the database, after a verified pre-import backup.</summary>
internal static class ImportCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var file = options["ImportFile"]
            ?? throw new MimoBackupException(MimoError.BadCommandUsage, "MimoImport needs -p:MimoImportFile=<file written by MimoExport, e.g. memories.json>");
        if (!File.Exists(target.DatabasePath))
        {
            // Import replaces rows, never the schema: the database must exist at the file's migration already.
            throw new MimoBackupException(MimoError.NoDatabase,
                $"'{target.DatabasePath}' does not exist, and an import needs the database at the export file's migration: create it with {CommandHints.DatabaseUpdate()} first");
        }

        // An empty database has nothing to lose (and no schema: the migration check refuses it with MIMO504); a dry run
        // changes nothing, so it needs no backup either.
        var dryRun = options.Flag("DryRun");
        BackupResult? preImport = null;
        Func<BackupResult>? takeBackup = dryRun || DatabaseContent.IsEmpty(target.DatabasePath, target.BusyTimeout) ? null : () => preImport = BackupWriter.Take(target.BackupRequest(BackupKind.PreImport, clock), cancellationToken);

        ImportResult result;
        try
        {
            result = JsonImport.Load(
                new ImportRequest { DatabasePath = target.DatabasePath, ImportPath = file, BusyTimeout = target.BusyTimeout, TakeBackupFirst = takeBackup, DryRun = dryRun },
                cancellationToken);
        }
        catch (MimoBackupException e) when (e.Error == MimoError.ImportMigrationMismatch)
        {
            CommandAudit.RecordRefusal(target, output, "import", Path.GetFullPath(file), e, clock.GetUtcNow());
            throw;
        }
        catch (MimoBackupException e) when (preImport is not null)
        {
            // Refused after the backup: the database was rolled back, and the backup stays, on the record.
            new AuditLog(target.BackupFolder).Append("import", new JsonObject
            {
                ["database"] = target.DatabasePath,
                ["file"] = Path.GetFullPath(file),
                ["failed"] = e.Error.Code,
                ["preImport"] = preImport.Path,
            }, clock.GetUtcNow());
            output.Information($"{Prefix}the import was rolled back; the pre-import backup {Display(preImport.Path)} holds the unchanged content.");
            throw;
        }

        if (dryRun)
        {
            output.Information(
                $"{Prefix}dry run, nothing was changed: {Display(Path.GetFullPath(file))} would import into {Display(target.DatabasePath)} ({DataChangeReport.Plural(result.Tables.Count, "table")}, "
                + $"{DataChangeReport.Plural(result.Rows, "row")}, at migration {result.LastMigration ?? "(none)"}; every value fits and foreign_key_check is ok), replacing the rows of those tables.");
            return MimoExitCode.Done;
        }

        new AuditLog(target.BackupFolder).Append("import", new JsonObject
        {
            ["database"] = target.DatabasePath,
            ["file"] = Path.GetFullPath(file),
            ["lastMigration"] = result.LastMigration,
            ["tables"] = result.Tables.Count,
            ["rows"] = result.Rows,
            ["bytes"] = result.Bytes,
            ["preImport"] = result.Backup?.Path,
            ["preImportSha256"] = result.Backup?.Sidecar.Sha256,
            ["durationMs"] = (long)result.Duration.TotalMilliseconds,
        }, clock.GetUtcNow());

        output.Information(
            $"{Prefix}imported {Display(Path.GetFullPath(file))} into {Display(target.DatabasePath)} ({DataChangeReport.Plural(result.Tables.Count, "table")}, {DataChangeReport.Plural(result.Rows, "row")}, "
            + $"{Size(result.Bytes)}, at migration {result.LastMigration ?? "(none)"}; foreign_key_check ok) in {CommandSteps.Seconds(result.Duration)}.");
        if (result.Backup is { } backup)
        {
            output.Information(
                $"{Prefix}the previous content is in {Display(backup.Path)} (verified pre-import backup, {Size(backup.Sidecar.SizeBytes)}, "
                + $"{DataChangeReport.Plural(backup.Sidecar.Census.TotalRows, "row")}). To undo: {CommandHints.Restore(backup.Path)}");
            CommandSteps.Aftercare(target, output).OffSite(backup, clock.GetUtcNow(), cancellationToken);
        }
        else
        {
            output.Information($"{Prefix}there was no previous content to keep ({Display(target.DatabasePath)} was empty).");
        }

        CommandSteps.WarnAboutVirtualTables(target, output, "imported");
        return MimoExitCode.Done;
    }
}
