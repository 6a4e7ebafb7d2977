using System.Text.Json.Nodes;

namespace MimoBackup.EfCore.Engine;

/// <summary>Where a verified backup is copied after the command's work: a second folder, or object storage.</summary>
internal enum OffSiteKind
{
    /// <summary><c>MimoMirrorDir</c>.</summary>
    Mirror,

    /// <summary><c>MimoRemote</c>.</summary>
    Remote,
}

/// <summary>The outcome of copying one backup to the mirror or the remote; a failure is a warning, never fatal.</summary>
internal sealed record MirrorResult(string Backup, string? MirrorPath, IReadOnlyList<MimoBackupException> Warnings)
{
    public bool Ok => MirrorPath is not null;
}

/// <summary>
/// Copies a verified backup and its sidecar to <c>MimoMirrorDir</c> (a second disk, a mounted share) or <c>MimoRemote</c>
/// the way <see cref="BackupWriter"/> writes it: create-only, SHA-256 checked against the sidecar before the copy counts,
/// sidecar last. Every copy is a line in the audit log of the backup's own folder, so a failed one is retried by the next.
/// </summary>
internal static class BackupMirror
{
    public const string AuditEvent = "mirror";
    public const string RemoteAuditEvent = "remote";

    /// <summary>Copies <paramref name="backup"/> into <paramref name="mirrorFolder"/>; see <see cref="Copy(BackupResult, IBackupStore, IBackupStore, DateTimeOffset, CancellationToken)"/>.</summary>
    public static MirrorResult Copy(BackupResult backup, string mirrorFolder, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backup);
        ArgumentException.ThrowIfNullOrWhiteSpace(mirrorFolder);
        return Copy(backup, new LocalFolderStore(Path.GetDirectoryName(backup.Path)!), new LocalFolderStore(mirrorFolder), now, cancellationToken);
    }

    /// <summary>
    /// Copies <paramref name="backup"/> from the store it is in to <paramref name="mirror"/>; the audit line goes to
    /// <paramref name="source"/>. Returns the warnings (MIMO401, MIMO107) instead of throwing them.
    /// </summary>
    public static MirrorResult Copy(BackupResult backup, IBackupStore source, IBackupStore mirror, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backup);
        return Copy(Path.GetFileName(backup.Path), backup.Sidecar.Sha256, source, mirror, OffSiteKind.Mirror, null, now, cancellationToken);
    }

    /// <summary>
    /// Copies the backup <paramref name="name"/> (SHA-256 <paramref name="sha256"/>) from <paramref name="source"/> to
    /// <paramref name="target"/>, reporting the bytes read to <paramref name="progress"/>. Returns the warnings (MIMO401
    /// or MIMO601, MIMO107) instead of throwing them.
    /// </summary>
    public static MirrorResult Copy(
        string name,
        string sha256,
        IBackupStore source,
        IBackupStore target,
        OffSiteKind kind,
        Action<long, long>? progress,
        DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        string? copied = null;
        MimoBackupException? failure = null;
        if (kind == OffSiteKind.Remote)
        {
            // An upload cut off by a cancellation or a killed process leaves this line as its latest: the next backup
            // retries it as it retries a failed one.
            try
            {
                new AuditLog(source).Append(EventOf(kind), new JsonObject { ["backup"] = name, [EventOf(kind)] = target.Location, ["result"] = "started" }, now);
            }
            catch (MimoBackupException)
            {
                // The copy itself decides; its own line reports an unwritable log.
            }
        }

        try
        {
            copied = CopyVerified(name, sha256, source, target, (kind == OffSiteKind.Remote ? "uploading " : "mirroring ") + name, progress, cancellationToken);
        }
        catch (MimoBackupException e)
        {
            failure = e;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = new MimoBackupException(kind == OffSiteKind.Remote ? MimoError.RemoteUploadFailed : MimoError.MirrorFailed, e, source.Locate(name), target.Location, e.Message.TrimEnd('.'));
        }

        return Record(name, copied, failure, source, target.Location, kind, now);
    }

    /// <summary>
    /// Records a copy that could not even start (the remote store could not be opened) as a failure: the audit line
    /// makes the next backup retry it.
    /// </summary>
    public static MirrorResult Failed(string name, MimoBackupException failure, IBackupStore source, string target, OffSiteKind kind, DateTimeOffset now)
        => Record(name, null, failure, source, target, kind, now);

    /// <summary>
    /// The backups of <paramref name="source"/> whose latest copy of <paramref name="kind"/> failed (or started and never
    /// ended) and that are still
    /// complete restore points there, oldest first, at most <paramref name="limit"/>: what the next backup retries.
    /// </summary>
    public static IReadOnlyList<(string Name, string Sha256)> FailedEarlier(IBackupStore source, OffSiteKind kind, int limit)
    {
        ArgumentNullException.ThrowIfNull(source);
        var auditEvent = EventOf(kind);
        var latest = new Dictionary<string, bool>(StringComparer.Ordinal);
        try
        {
            foreach (var line in source.ReadAuditLines())
            {
                if (line.Contains($"\"event\":\"{auditEvent}\"", StringComparison.Ordinal) && AuditLog.ParseLine(line) is { } entry
                    && (string?)entry["event"] == auditEvent && (string?)entry["backup"] is { } backup)
                {
                    latest.Remove(backup);
                    latest[backup] = (string?)entry["result"] == "ok";
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var failed = latest.Where(l => !l.Value).Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        if (failed.Count == 0)
        {
            return [];
        }

        return [.. BackupCatalog.Read(source)
            .Where(e => e.State == CatalogState.Complete && e.Sidecar is not null && failed.Contains(e.FileName))
            .OrderBy(e => e.CreatedUtc)
            .Take(limit)
            .Select(e => (e.FileName, e.Sidecar!.Sha256))];
    }

    /// <summary>
    /// What the audit log of <paramref name="source"/> last says of copying <paramref name="name"/> (of <paramref name="kind"/>):
    /// null when no copy was tried, else whether it succeeded and, when not, why. Read offline, for status and health.
    /// </summary>
    public static (bool Ok, DateTimeOffset At, string? Reason)? LatestCopy(IBackupStore source, OffSiteKind kind, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        var auditEvent = EventOf(kind);
        (bool, DateTimeOffset, string?)? latest = null;
        try
        {
            foreach (var line in source.ReadAuditLines())
            {
                if (line.Contains(name, StringComparison.Ordinal) && AuditLog.ParseLine(line) is { } entry
                    && (string?)entry["event"] == auditEvent && (string?)entry["backup"] == name)
                {
                    _ = DateTimeOffset.TryParse((string?)entry["at"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at);
                    latest = ((string?)entry["result"] == "ok", at, (string?)entry["result"] == "started" ? "the upload did not finish" : (string?)entry["reason"]);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return latest;
    }

    private static string EventOf(OffSiteKind kind) => kind == OffSiteKind.Remote ? RemoteAuditEvent : AuditEvent;

    private static MirrorResult Record(string name, string? copied, MimoBackupException? failure, IBackupStore source, string target, OffSiteKind kind, DateTimeOffset now)
    {
        var warnings = new List<MimoBackupException>();
        if (failure is not null)
        {
            warnings.Add(failure);
        }

        var details = new JsonObject
        {
            ["backup"] = name,
            [EventOf(kind)] = target,
            ["result"] = failure is null ? "ok" : "failed",
        };
        if (failure is not null)
        {
            details["reason"] = failure.Message;
        }

        try
        {
            new AuditLog(source).Append(EventOf(kind), details, now);
        }
        catch (MimoBackupException e)
        {
            warnings.Add(e);
        }

        return new MirrorResult(name, copied, warnings);
    }

    private static string CopyVerified(string name, string sha256, IBackupStore source, IBackupStore target, string activity, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        var sidecarBytes = source.ReadSidecar(name);
        var sidecarName = name + BackupSidecar.Suffix;

        var copied = target.Find(name) is not null;
        var sidecarCopied = target.Find(sidecarName) is not null;
        if (copied || sidecarCopied)
        {
            // Copying the same backup twice is harmless; a different object of that name is never overwritten.
            if (!copied || !string.Equals(BackupVerifier.Sha256Of(target, name, cancellationToken), sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new MirrorException($"a different '{name}' is already there and is never overwritten");
            }

            if (!sidecarCopied)
            {
                // An earlier copy stopped between the backup and its sidecar: the backup is right, so finish it.
                target.WriteSidecar(name, sidecarBytes);
            }

            return target.Locate(name);
        }

        using (var content = source.OpenRead(name))
        using (var counted = new ProgressReadStream(content, source.Find(name)?.Length ?? 0, activity, progress))
        {
            // The target checks what it stored against the sidecar's SHA-256 before the copy counts.
            target.Write(name, counted, sha256, cancellationToken);
        }

        try
        {
            target.WriteSidecar(name, sidecarBytes);
        }
        catch
        {
            try
            {
                target.Delete(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A copy without its sidecar is never a restore point; the next copy finishes it.
            }

            throw;
        }

        return target.Locate(name);
    }

    /// <summary>A reason the copy was refused, worded for the MIMO401/MIMO601 message.</summary>
    private sealed class MirrorException(string message) : IOException(message);

    /// <summary>Reports how far a copy has read: to the tool's progress bar, and to the caller's lines of a long upload.</summary>
    private sealed class ProgressReadStream(Stream inner, long total, string activity, Action<long, long>? progress) : ForwardReadStream
    {
        private long done;

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            done += read;
            WorkProgress.Report(activity, done, total);
            progress?.Invoke(done, total);
            return read;
        }
    }
}
