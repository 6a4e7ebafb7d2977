using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// SPEC §3 for deleting a SQLite database that holds something: with backups on, a verified <c>pre-drop_</c>
/// backup is taken first and the drop is refused (MIMO302) if it cannot be; with <c>MimoSkipBackup</c>, the drop
/// is refused unless a fresh backup holds the current data. Throw-away databases (missing, empty, in memory,
/// tables without rows) are never guarded, so test suites that recreate them keep working.
/// </summary>
internal static class DropGuard
{
    public static void Check(DbContext context, IMimoOutput output)
    {
        var settings = MimoSettings.FromProcess([context.GetType().Assembly, System.Reflection.Assembly.GetEntryAssembly()],
            context.GetService<IDbContextOptions>().FindExtension<MimoBackupOptionsExtension>()?.Settings);
        if (DatabaseLocation.FromConnectionString(context.Database.GetConnectionString(), Directory.GetCurrentDirectory()).Path is not { } database
            || !File.Exists(database))
        {
            return;
        }

        var folder = settings.BackupFolderFor(database);
        var now = DateTimeOffset.UtcNow;
        var record = new JsonObject { ["operation"] = "drop", ["database"] = database, ["context"] = context.GetType().FullName };
        if (!settings.Enabled)
        {
            // Off means off, whatever the file holds (even a damaged one), but never silently: the drop is on the record.
            output.Warning(MimoBackupEventId.DropWithoutBackup, $"Mimo: backups are off ({MimoSettings.EnabledName}=false): deleting {ReportText.Display(database)} without a guard.");
            new AuditLog(folder).Append("disabled", record, now);
            return;
        }

        var busyTimeout = TimeSpan.FromSeconds(5);
        if (DatabaseContent.HoldsNoRows(database, busyTimeout, [BackupMigrator.HistoryTable(context), BackupMigrator.LockTable]))
        {
            return;
        }

        var audit = new AuditLog(folder);
        var aftercare = new BackupAftercare(settings, folder, output);
        var size = ReportText.Size(new FileInfo(database).Length);
        if (!settings.SkipBackup)
        {
            BackupResult backup;
            try
            {
                backup = BackupWriter.Take(
                    new BackupRequest
                    {
                        DatabasePath = database,
                        BackupFolder = folder,
                        Kind = BackupKind.PreDrop,
                        Verify = settings.Verify,
                        BusyTimeout = busyTimeout,
                        Origin = BackupMigrator.Origin(context),
                    },
                    CancellationToken.None);
            }
            catch (MimoBackupException e)
            {
                // No verified copy, no drop: the cause first, then the refusal with its remedy.
                output.Warning(MimoBackupEventId.DropBackupFailed, $"Mimo: the pre-drop backup of {ReportText.Display(database)} could not be taken: {e.Message}");
                throw Refuse(database, size, settings, folder, audit, aftercare, record, now);
            }

            output.Information(MimoBackupEventId.DropBackupTaken, $"Mimo: {ReportText.Describe(backup)} before deleting {ReportText.Display(database)}. "
                + $"To restore it: {CommandHints.Restore(backup.Path)}");
            audit.Append("drop", BackupMigrator.AddFacts(record, backup), now);
            aftercare.AfterBackup(backup, now, CancellationToken.None);
            return;
        }

        var answer = FreshBackups.Find(folder, database, TimeSpan.FromMinutes(settings.FreshBackupMinutes), now, busyTimeout, [BackupMigrator.LockTable]);
        if (answer.Backup is not { } fresh)
        {
            if (answer.WhyNot is { } whyNot)
            {
                output.Warning(MimoBackupEventId.NoFreshBackup, $"Mimo: {whyNot}.");
            }

            throw Refuse(database, size, settings, folder, audit, aftercare, record, now);
        }

        var minutes = (now - fresh.Sidecar.CreatedUtc).TotalMinutes.ToString("0", CultureInfo.InvariantCulture);
        output.Warning(MimoBackupEventId.DropWithoutBackup, $"Mimo: {MimoSettings.SkipBackupName}=true: deleting {ReportText.Display(database)} ({size}) without a new backup; "
            + $"{ReportText.Display(fresh.Path)} ({minutes} min old) holds its current data.");
        record["coveredBy"] = fresh.Path;
        audit.Append("drop", record, now);
    }

    private static MimoBackupException Refuse(string database, string size, MimoSettings settings, string folder, AuditLog audit, BackupAftercare aftercare, JsonObject record, DateTimeOffset now)
    {
        var refusal = new MimoBackupException(MimoError.DropRefused, ReportText.Display(database), size, settings.FreshBackupMinutes, ReportText.Display(folder), CommandHints.Backup());
        try
        {
            audit.Append("refusal", record, now);
        }
        catch (MimoBackupException unrecorded)
        {
            // The folder that could not take the backup may not take the audit line either: the refusal still stands.
            return new MimoBackupException(MimoError.DropRefused, unrecorded, ReportText.Display(database), size, settings.FreshBackupMinutes, ReportText.Display(folder), CommandHints.Backup());
        }

        aftercare.Publish(Notifier.Refusal(database, refusal, now), now);
        return refusal;
    }
}
