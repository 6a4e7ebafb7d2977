using System.Globalization;
using System.Security;
using System.Text.Json.Nodes;
using System.Text;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// What follows a backup, and every event, the same way in every front-end (dotnet-ef, <c>Migrate()</c>, the drop guard,
/// the manual targets): the copy to <c>MimoMirrorDir</c>, the automatic prune of both folders, and the notification
/// (the event to <c>MimoNotifyCommand</c>). Nothing here fails the operation
/// it follows: every problem is a MIMO-coded warning on the output and a line in the audit log.
/// </summary>
internal sealed class BackupAftercare(MimoSettings settings, string backupFolder, IMimoOutput output)
{
    /// <summary>The backup folder first, then the mirror when there is one: the folders an automatic prune applies to.</summary>
    public IReadOnlyList<string> Folders => settings.MirrorDir is { } mirror ? [backupFolder, mirror] : [backupFolder];

    /// <summary>
    /// After a verified backup: its notification, its mirror copy, then (with <c>MimoAutoPrune</c>) the prune of the
    /// backup folder and the mirror, each in one line.
    /// </summary>
    public void AfterBackup(BackupResult backup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        Publish(Notifier.Backup(backup, now), now);
        Mirror(backup, now, cancellationToken);
        if (!settings.AutoPrune)
        {
            return;
        }

        foreach (var folder in Folders)
        {
            if (Prune(folder, dryRun: false, now, cancellationToken) is { Decisions.Count: > 0 } result)
            {
                output.Information(MimoBackupEventId.BackupsPruned, Summary(result));
                Publish(Notifier.Prune(result, now), now);
            }
        }
    }

    /// <summary>Copies a verified backup to <c>MimoMirrorDir</c>, if set; a failure is a MIMO401 warning.</summary>
    public MirrorResult? Mirror(BackupResult backup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        if (settings.MirrorDir is not { } mirror)
        {
            return null;
        }

        var result = BackupMirror.Copy(backup, mirror, now, cancellationToken);
        if (result.MirrorPath is { } copy)
        {
            output.Information(MimoBackupEventId.BackupMirrored, $"{ReportText.Prefix}mirrored {Path.GetFileName(backup.Path)} to {ReportText.Display(copy)} (SHA-256 checked).");
        }

        foreach (var warning in result.Warnings)
        {
            output.Warning(MimoBackupEventId.MirrorFailed, ReportText.Prefix + warning.Message);
        }

        return result;
    }

    /// <summary>
    /// Applies the retention policy to one folder (in a dry run: decides only). Deletions that fail and a folder that
    /// cannot be read are MIMO403 warnings; null in the latter case.
    /// </summary>
    public PruneResult? Prune(string folder, bool dryRun, DateTimeOffset now, CancellationToken cancellationToken)
    {
        PruneResult result;
        try
        {
            result = BackupPrune.Run(folder, settings.Retention, now, dryRun, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            output.Warning(MimoBackupEventId.PruneFailed, ReportText.Prefix + new MimoBackupException(MimoError.PruneDeleteFailed, e, folder, "the folder cannot be read (" + e.Message.TrimEnd('.') + ")").Message);
            return null;
        }

        foreach (var warning in result.Warnings)
        {
            output.Warning(MimoBackupEventId.PruneFailed, ReportText.Prefix + warning.Message);
        }

        return result;
    }

    /// <summary>
    /// An event of SPEC §8's notifications, as JSON to <c>MimoNotifyCommand</c> when one is set and
    /// <c>MimoNotifyOnBackup</c> is on (a failure is a MIMO402 warning and a line in the audit log). Nothing is printed:
    /// the front-end has already said what happened, once.
    /// </summary>
    public void Publish(JsonObject evt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (!settings.NotifyOnBackup)
        {
            return;
        }

        foreach (var warning in Notifier.Notify(evt, settings.NotifyCommand, new AuditLog(backupFolder), now))
        {
            output.Warning(MimoBackupEventId.NotifyFailed, ReportText.Prefix + warning.Message);
        }
    }

    /// <summary>
    /// One line: what a prune removed and why (at most five named), and why the survivors stay, counted by reason.
    /// </summary>
    public static string Summary(PruneResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var deleted = result.Deleted.ToList();
        var line = new StringBuilder(ReportText.Prefix);
        var where = ReportText.Display(result.Folder);
        if (deleted.Count == 0)
        {
            line.Append(CultureInfo.InvariantCulture, $"{(result.DryRun ? "prune would remove" : "prune removed")} nothing in {where}");
        }
        else
        {
            line.Append(CultureInfo.InvariantCulture, $"{(result.DryRun ? "would prune" : "pruned")} {deleted.Count} old backup{(deleted.Count == 1 ? "" : "s")} in {where} (")
                .AppendJoin("; ", deleted.Take(5).Select(d => d.Name + ": " + Bare(d.Reason)))
                .Append(deleted.Count > 5 ? "; …)" : ")");
        }

        var kept = result.Kept.GroupBy(d => Group(d.Reason)).Select(g => g.Count().ToString(CultureInfo.InvariantCulture) + " " + g.Key).ToList();
        line.Append(CultureInfo.InvariantCulture, $"; kept {result.Kept.Count()}").Append(kept.Count == 0 ? "" : " (" + string.Join(", ", kept) + ")");
        if (result.Failed.Count > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $"; {result.Failed.Count} could not be deleted (MIMO403)");
        }

        return line.Append('.').ToString();
    }

    /// <summary>A reason without its "kept: "/"deleted: " verb.</summary>
    internal static string Bare(string reason)
    {
        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? reason : reason[(colon + 2)..];
    }

    private static string Group(string reason)
    {
        var bare = Bare(reason);
        return bare.StartsWith("monthly", StringComparison.Ordinal) ? "monthly"
            : bare.StartsWith("last before", StringComparison.Ordinal) ? "last before a major version change"
            : bare;
    }
}
