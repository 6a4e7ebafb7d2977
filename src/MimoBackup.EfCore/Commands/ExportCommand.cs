using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoExport</c>: the database's rows written to a JSON file.</summary>
internal static class ExportCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var file = options["ExportFile"]
            ?? throw new MimoBackupException(MimoError.BadCommandUsage, "MimoExport needs -p:MimoExportFile=<file to write, e.g. memories.json>");
        CommandSteps.RequireDatabase(target);

        // An export replaces its file: never the database itself, its journal files, or any other SQLite file.
        var path = Path.GetFullPath(file);
        var database = Path.GetFullPath(target.DatabasePath);
        if (new[] { database, database + "-wal", database + "-shm", database + "-journal" }.Contains(path, StringComparer.Ordinal)
            || (File.Exists(path) && BackupCheck.HasSqliteHeader(path)))
        {
            throw new MimoBackupException(MimoError.BadCommandUsage, $"MimoExportFile '{file}' is a SQLite database or one of its files, which an export would overwrite; name a .json file");
        }

        var result = JsonExport.Write(
            new ExportRequest { DatabasePath = target.DatabasePath, ExportPath = file, BusyTimeout = target.BusyTimeout, Clock = clock },
            cancellationToken);

        new AuditLog(target.BackupFolder).Append("export", new JsonObject
        {
            ["database"] = target.DatabasePath,
            ["file"] = result.Path,
            ["lastMigration"] = result.LastMigration,
            ["tables"] = result.Tables.Count,
            ["rows"] = result.Rows,
            ["bytes"] = result.Bytes,
            ["durationMs"] = (long)result.Duration.TotalMilliseconds,
        }, clock.GetUtcNow());

        output.Information(
            $"{Prefix}exported {Display(target.DatabasePath)} to {Display(result.Path)} ({DataChangeReport.Plural(result.Tables.Count, "table")}, {DataChangeReport.Plural(result.Rows, "row")}, "
            + $"{Size(result.Bytes)}, last migration {result.LastMigration ?? "(none)"}) in {CommandSteps.Seconds(result.Duration)}. "
            + $"To load it into a database at the same migration: {CommandHints.Import(Display(result.Path))}");
        CommandSteps.WarnAboutVirtualTables(target, output, "exported");
        return MimoExitCode.Done;
    }
}
