using Microsoft.Extensions.Logging;
using System.Globalization;
using System.Security;
using System.Text.Json.Nodes;
using System.Text;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// What follows a backup, and every event, the same way in every front-end (dotnet-ef, <c>Migrate()</c>, the drop guard,
/// the manual targets): the copy to <c>MimoMirrorDir</c>, the upload to <c>MimoRemote</c>, the automatic prune of the
/// backup folder, the mirror and the remote, and the notification (the event to <c>MimoNotifyCommand</c>). Nothing here
/// fails the operation it follows: every problem is a MIMO-coded warning on the output and a line in the audit log.
/// </summary>
internal sealed class BackupAftercare(MimoSettings settings, string backupFolder, IMimoOutput output)
{
    /// <summary>Earlier failed uploads retried after each backup, at most: a long outage must not make one backup slow.</summary>
    private const int RetriesPerBackup = 5;

    /// <summary>Backups this large print how far their upload has come.</summary>
    private const long ProgressFrom = 64L << 20;

    private IBackupStore? remote;

    /// <summary>The backup folder, then the mirror and the remote when they are set: the stores an automatic prune applies to.</summary>
    public IReadOnlyList<IBackupStore> Stores
    {
        get
        {
            var stores = new List<IBackupStore> { new LocalFolderStore(backupFolder) };
            if (settings.MirrorDir is { } mirror)
            {
                stores.Add(new LocalFolderStore(mirror));
            }

            if (settings.Remote is not null && OpenRemote(out _) is { } store)
            {
                stores.Add(store);
            }

            return stores;
        }
    }

    /// <summary>
    /// After a verified backup: its notification, its copies to the mirror and the remote, then (with
    /// <c>MimoAutoPrune</c>) the prune of every store, each in one line.
    /// </summary>
    public void AfterBackup(BackupResult backup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        Publish(Notifier.Backup(backup, now), now);
        OffSite(backup, now, cancellationToken);
        if (!settings.AutoPrune)
        {
            return;
        }

        foreach (var store in Stores)
        {
            Contained(
                () =>
                {
                    if (Prune(store, dryRun: false, now, cancellationToken) is { Decisions.Count: > 0 } result)
                    {
                        output.Information(MimoBackupEventId.BackupsPruned, Summary(result));
                        Publish(Notifier.Prune(result, now), now);
                    }
                },
                MimoBackupEventId.PruneFailed,
                e => new MimoBackupException(MimoError.PruneDeleteFailed, e, store.Location, e.GetType().Name),
                cancellationToken);
        }
    }

    /// <summary>
    /// Runs one step of the aftercare so that nothing it meets (an SDK exception no provider translated, say) fails the
    /// operation it follows: it becomes the step's MIMO warning. A cancellation asked for is passed on.
    /// </summary>
    private void Contained(Action step, EventId id, Func<Exception, MimoBackupException> warning, CancellationToken cancellationToken)
    {
        try
        {
            step();
        }
#pragma warning disable CA1031 // The aftercare's promise: a problem here is a warning, never the failure of what it follows.
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            output.Warning(id, ReportText.Prefix + (e as MimoBackupException ?? warning(e)).Message);
        }
    }

    /// <summary>The copies of a verified backup that leave its folder: to <c>MimoMirrorDir</c>, then to <c>MimoRemote</c>.</summary>
    public void OffSite(BackupResult backup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        Contained(() => Mirror(backup, now, cancellationToken), MimoBackupEventId.MirrorFailed,
            e => new MimoBackupException(MimoError.MirrorFailed, e, backup.Path, settings.MirrorDir ?? "", e.GetType().Name), cancellationToken);
        Contained(() => Upload(backup, now, cancellationToken), MimoBackupEventId.UploadFailed,
            e => new MimoBackupException(MimoError.RemoteUploadFailed, e, backup.Path, settings.Remote?.Text ?? "", e.GetType().Name), cancellationToken);
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
    /// Uploads a verified backup and its sidecar to <c>MimoRemote</c>, if set, then the earlier backups whose upload
    /// failed; every failure is a MIMO601 warning (or the MIMO60x of the cause) and an audit line.
    /// </summary>
    public MirrorResult? Upload(BackupResult backup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        if (settings.Remote is not { } address)
        {
            return null;
        }

        var source = new LocalFolderStore(Path.GetDirectoryName(backup.Path)!);
        var name = Path.GetFileName(backup.Path);
        if (OpenRemote(out var failure) is not { } store)
        {
            var failed = BackupMirror.Failed(name, failure!, source, address.Text, OffSiteKind.Remote, now);
            Warn(failed);
            return failed;
        }

        var result = UploadOne(name, backup.Sidecar.Sha256, backup.Sidecar.SizeBytes, source, store, now, cancellationToken);
        if (result.Ok)
        {
            // The remote just took this backup, so a retry that fails fails for its own reason (a different object of that
            // name, say): the others are tried all the same.
            foreach (var (earlier, sha256) in BackupMirror.FailedEarlier(source, OffSiteKind.Remote, RetriesPerBackup).Where(e => e.Name != name))
            {
                UploadOne(earlier, sha256, source.Find(earlier)?.Length ?? 0, source, store, now, cancellationToken);
            }
        }

        return result;
    }

    /// <summary>
    /// <c>MimoRemote</c> as a backup store (opened once), or null with the reason: the provider package missing (MIMO602).
    /// A key that cannot be used is MIMO606 when the settings are read, as every invalid setting is.
    /// </summary>
    public IBackupStore? OpenRemote(out MimoBackupException? failure)
    {
        failure = null;
        if (remote is not null || settings.Remote is null)
        {
            return remote;
        }

        try
        {
            return remote = RemoteStore.Open(settings.Remote, settings.EncryptionKey, backupFolder);
        }
        catch (MimoBackupException e)
        {
            failure = e;
            return null;
        }
#pragma warning disable CA1031 // A provider that fails to open is a reason not to upload, never a failure of the operation.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            failure = new MimoBackupException(MimoError.RemoteUnavailable, e, settings.Remote.Text, e.GetType().Name);
            return null;
        }
    }

    private MirrorResult UploadOne(string name, string sha256, long size, IBackupStore source, IBackupStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = BackupMirror.Copy(name, sha256, source, store, OffSiteKind.Remote, size >= ProgressFrom ? Progress(name, store.Location) : null, now, cancellationToken);
        if (result.Ok)
        {
            var encrypted = settings.EncryptionKey is { } key ? $", encrypted with key {key.Id}" : "";
            output.Information(MimoBackupEventId.BackupUploaded, $"{ReportText.Prefix}uploaded {name} ({ReportText.Size(size)}) to {store.Location} in "
                + $"{started.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (SHA-256 checked{encrypted}).");
        }

        Warn(result);
        return result;
    }

    /// <summary>One line at each quarter of a long upload.</summary>
    private Action<long, long> Progress(string name, string location)
    {
        var shown = 0;
        return (done, total) =>
        {
            var quarter = total <= 0 ? 0 : (int)(done * 4 / total);
            if (quarter > shown && quarter < 4)
            {
                shown = quarter;
                output.Information(MimoBackupEventId.BackupUploaded, $"{ReportText.Prefix}uploading {name} to {location}: {quarter * 25}% ({ReportText.Size(done)} of {ReportText.Size(total)})…");
            }
        };
    }

    private void Warn(MirrorResult result)
    {
        foreach (var warning in result.Warnings)
        {
            output.Warning(MimoBackupEventId.UploadFailed, ReportText.Prefix + warning.Message);
        }
    }

    /// <summary>
    /// Applies the retention policy to one store (in a dry run: decides only). Deletions that fail and a store that
    /// cannot be read are MIMO403 warnings; null in the latter case.
    /// </summary>
    public PruneResult? Prune(IBackupStore store, bool dryRun, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        PruneResult result;
        try
        {
            result = BackupPrune.Run(store, settings.Retention, now, dryRun, cancellationToken);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions.All(i => i is not OperationCanceledException))
        {
            // The catalog reads sidecars in parallel: one unreadable remote sidecar arrives wrapped.
            output.Warning(MimoBackupEventId.PruneFailed, ReportText.Prefix + new MimoBackupException(MimoError.PruneDeleteFailed, e, store.Location, "the store cannot be read (" + e.InnerExceptions[0].GetType().Name + ")").Message);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            output.Warning(MimoBackupEventId.PruneFailed, ReportText.Prefix + new MimoBackupException(MimoError.PruneDeleteFailed, e, store.Location, "the store cannot be read (" + e.Message.TrimEnd('.') + ")").Message);
            return null;
        }
        catch (MimoBackupException e)
        {
            // A remote whose objects need a key that is not set, say: the other stores are pruned all the same.
            output.Warning(MimoBackupEventId.PruneFailed, ReportText.Prefix + e.Message);
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

        if (result.Protected.Count > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $"; {result.Protected.Count} kept by the service (object lock or immutability policy)");
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
