using System.Text.Json.Nodes;

namespace MimoBackup.EfCore.Engine;

/// <summary>The outcome of copying one backup to the mirror folder; a failure is a warning, never fatal.</summary>
internal sealed record MirrorResult(string? MirrorPath, IReadOnlyList<MimoBackupException> Warnings)
{
    public bool Ok => MirrorPath is not null;
}

/// <summary>
/// Copies a verified backup and its sidecar to <c>MimoMirrorDir</c> (a second disk, a mounted share) the way
/// <see cref="BackupWriter"/> writes it: temporary name, flush, SHA-256 checked against the sidecar, rename, sidecar last.
/// </summary>
internal static class BackupMirror
{
    public const string AuditEvent = "mirror";

    /// <summary>
    /// Copies <paramref name="backup"/> into <paramref name="mirrorFolder"/> and records the result in the audit log of
    /// the backup's own folder. Returns the warnings (MIMO401, MIMO107) instead of throwing them.
    /// </summary>
    public static MirrorResult Copy(BackupResult backup, string mirrorFolder, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backup);
        ArgumentException.ThrowIfNullOrWhiteSpace(mirrorFolder);
        return Copy(backup, new LocalFolderStore(Path.GetDirectoryName(backup.Path)!), new LocalFolderStore(mirrorFolder), now, cancellationToken);
    }

    /// <summary>Copies <paramref name="backup"/> from the store it is in to <paramref name="mirror"/>; the audit line goes to <paramref name="source"/>.</summary>
    public static MirrorResult Copy(BackupResult backup, IBackupStore source, IBackupStore mirror, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backup);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(mirror);
        string? mirrored = null;
        MimoBackupException? failure = null;
        try
        {
            mirrored = CopyVerified(backup, source, mirror, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = new MimoBackupException(MimoError.MirrorFailed, e, backup.Path, mirror.Location, e.Message.TrimEnd('.'));
        }

        var warnings = new List<MimoBackupException>();
        if (failure is not null)
        {
            warnings.Add(failure);
        }

        var details = new JsonObject
        {
            ["backup"] = Path.GetFileName(backup.Path),
            ["mirror"] = mirror.Location,
            ["result"] = failure is null ? "ok" : "failed",
        };
        if (failure is not null)
        {
            details["reason"] = failure.Message;
        }

        try
        {
            new AuditLog(source).Append(AuditEvent, details, now);
        }
        catch (MimoBackupException e)
        {
            warnings.Add(e);
        }

        return new MirrorResult(mirrored, warnings);
    }

    private static string CopyVerified(BackupResult backup, IBackupStore source, IBackupStore mirror, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(backup.Path);
        var sidecarBytes = source.ReadSidecar(name);
        var sidecarName = name + BackupSidecar.Suffix;

        var copied = mirror.Find(name) is not null;
        var sidecarCopied = mirror.Find(sidecarName) is not null;
        if (copied || sidecarCopied)
        {
            // Mirroring the same backup twice is harmless; a different file of that name is never overwritten.
            if (!copied || !string.Equals(BackupVerifier.Sha256Of(mirror, name, cancellationToken), backup.Sidecar.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new MirrorException($"a different '{name}' is already there and is never overwritten");
            }

            if (!sidecarCopied)
            {
                // An earlier mirror stopped between the copy and its sidecar: the copy is right, so finish it.
                mirror.WriteSidecar(name, sidecarBytes);
            }

            return mirror.Locate(name);
        }

        using (var content = source.OpenRead(name))
        {
            // The mirror checks what it stored against the sidecar's SHA-256 before the name appears.
            mirror.Write(name, content, backup.Sidecar.Sha256, cancellationToken);
        }

        try
        {
            mirror.WriteSidecar(name, sidecarBytes);
        }
        catch
        {
            try
            {
                mirror.Delete(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A copy without its sidecar is never a restore point; the next mirror finishes it.
            }

            throw;
        }

        return mirror.Locate(name);
    }

    /// <summary>A reason the mirror copy was refused, worded for the MIMO401 message.</summary>
    private sealed class MirrorException(string message) : IOException(message);
}
