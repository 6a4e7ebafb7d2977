using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoRestore</c>: a backup (or any SQLite file) copied into the database, the previous content kept.</summary>
internal static class RestoreCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var from = options["RestoreFrom"]
            ?? throw new MimoBackupException(MimoError.BadCommandUsage, "MimoRestore needs -p:MimoRestoreFrom=<backup name or path of a SQLite file>");
        RestoreResult result;
        BackupSidecar? sidecar;
        string shown;
        RemoteDownload? download = null;
        try
        {
            string source;
            if (CommandSource.Of(options) == CommandSource.Remote)
            {
                // Downloaded whole and checked against its sidecar by the restore below before the live database is touched.
                var remote = CommandSource.RemoteStoreOf(target);
                (download, sidecar, shown) = RestoreSource.Download(target, from, remote, output, cancellationToken);
                source = download.Path;
            }
            else
            {
                (source, sidecar) = RestoreSource.Resolve(target, from, CommandSource.Store(target, options).Location);
                shown = source;
            }

            result = DatabaseRestore.Run(
                new RestoreRequest
                {
                    Source = source,
                    SourceSidecar = sidecar,
                    DatabasePath = target.DatabasePath,
                    BackupFolder = target.BackupFolder,
                    Origin = target.Origin,
                    Migrations = target.MigrationFacts,
                    Verify = target.Settings.Verify,
                    BusyTimeout = target.BusyTimeout,
                    Clock = clock,
                    BeforeCopy = () => output.Information($"{Prefix}{Display(shown)} is sound{(HoldsContent(target.DatabasePath) ? " and the current content is kept" : "")}; copying it into {Display(target.DatabasePath)}…"),
                },
                cancellationToken);
        }
        catch (MimoBackupException e) when (e.Error == MimoError.RestoreSourceRejected)
        {
            CommandAudit.RecordRefusal(target, output, "restore", from, e, clock.GetUtcNow());
            throw;
        }
        finally
        {
            download?.Dispose();
        }

        new AuditLog(target.BackupFolder).Append("restore", new JsonObject
        {
            ["database"] = target.DatabasePath,
            ["from"] = shown,
            ["fromSha256"] = sidecar?.Sha256,
            ["preRestore"] = result.PreRestore?.Path,
            ["preRestoreVerified"] = result.PreRestore?.Sidecar.Verification.Passed ?? false,
            ["method"] = result.Method,
            ["rows"] = result.Census.TotalRows,
            ["durationMs"] = (long)result.Duration.TotalMilliseconds,
        }, clock.GetUtcNow());

        var now = clock.GetUtcNow();
        var aftercare = CommandSteps.Aftercare(target, output);
        output.Information(
            $"{Prefix}restored {Display(target.DatabasePath)} from {Display(shown)} ({result.Method}; {DataChangeReport.Plural(result.Census.Tables.Count, "table")}, "
            + $"{DataChangeReport.Plural(result.Census.TotalRows, "row")}, matching the {(sidecar is null ? "source" : "backup")}) in {CommandSteps.Seconds(result.Duration)}.");
        if (result.PreRestore is { } preRestore)
        {
            if (preRestore.Sidecar.Verification.Passed)
            {
                output.Information($"{Prefix}the previous content is in {Display(preRestore.Path)}. To undo: {CommandHints.Restore(preRestore.Path)}");

                // The pre-restore backup is a verified backup like any other: it goes to the mirror and the remote too.
                aftercare.OffSite(preRestore, now, cancellationToken);
            }
            else
            {
                output.Warning($"{Prefix}the database was damaged: its previous bytes are kept, unverified, in {Display(preRestore.Path)} (not a restore point; open it with sqlite3 to salvage rows).");
            }
        }
        else
        {
            output.Information($"{Prefix}there was no previous content to keep ({Display(target.DatabasePath)} did not exist or was empty).");
        }

        WarnIfBehindTheApp(target, output);
        aftercare.Publish(Notifier.Restore(target.DatabasePath, shown, result.PreRestore?.Path, now), now);
        return MimoExitCode.Done;
    }

    private static bool HoldsContent(string database) => File.Exists(database) && new FileInfo(database).Length > 0;

    /// <summary>A restore may go back past migrations the app has: say so, and how to bring the database forward.</summary>
    private static void WarnIfBehindTheApp(CommandTarget target, ICommandOutput output)
    {
        if (target.AppMigrations is not { Count: > 0 } all)
        {
            return;
        }

        var applied = DatabaseContent.AppliedMigrations(target.DatabasePath, target.BusyTimeout, target.HistoryTable);
        var missing = all.Where(m => !applied.Contains(m)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        output.Warning($"{Prefix}{Display(target.DatabasePath)} is now {DataChangeReport.Plural(missing.Count, "migration")} behind the app "
            + $"({string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", …" : "")}): bring it forward with {CommandHints.DatabaseUpdate()}, "
            + "once what made you restore is fixed.");
    }
}
