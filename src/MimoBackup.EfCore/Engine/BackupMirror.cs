using System.Text.Json.Nodes;
using MimoBackup.EfCore.Internal;

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
        var folder = Path.GetFullPath(mirrorFolder);
        string? mirrored = null;
        MimoBackupException? failure = null;
        try
        {
            mirrored = CopyVerified(backup, folder, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = new MimoBackupException(MimoError.MirrorFailed, e, backup.Path, folder, e.Message.TrimEnd('.'));
        }

        var warnings = new List<MimoBackupException>();
        if (failure is not null)
        {
            warnings.Add(failure);
        }

        var details = new JsonObject
        {
            ["backup"] = Path.GetFileName(backup.Path),
            ["mirror"] = folder,
            ["result"] = failure is null ? "ok" : "failed",
        };
        if (failure is not null)
        {
            details["reason"] = failure.Message;
        }

        try
        {
            new AuditLog(Path.GetDirectoryName(backup.Path)!).Append(AuditEvent, details, now);
        }
        catch (MimoBackupException e)
        {
            warnings.Add(e);
        }

        return new MirrorResult(mirrored, warnings);
    }

    private static string CopyVerified(BackupResult backup, string folder, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(backup.Path);
        var target = Path.Combine(folder, name);
        var sidecarBytes = File.ReadAllBytes(backup.SidecarPath);

        BackupFolder.Prepare(folder);

        if (File.Exists(target) || File.Exists(target + BackupSidecar.Suffix))
        {
            // Mirroring the same backup twice is harmless; a different file of that name is never overwritten.
            var same = File.Exists(target) && string.Equals(BackupVerifier.Sha256Of(target, cancellationToken), backup.Sidecar.Sha256, StringComparison.OrdinalIgnoreCase);
            if (same && !File.Exists(target + BackupSidecar.Suffix))
            {
                // An earlier mirror stopped between the copy and its sidecar: the copy is right, so finish it.
                FileDurability.WriteAtomically(target + BackupSidecar.Suffix, sidecarBytes);
            }

            if (same)
            {
                return target;
            }

            throw new MirrorException($"a different '{name}' is already there and is never overwritten");
        }

        var temporary = BackupWriter.TemporaryPath(folder, Path.GetFileNameWithoutExtension(name));
        try
        {
            FileDurability.CreateOwnerOnly(temporary);
            using (var source = new FileStream(backup.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
            using (var copy = new FileStream(temporary, FileMode.Open, FileAccess.Write, FileShare.None, 1 << 20))
            {
                source.CopyTo(copy, 1 << 20);
                copy.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();

            // Read back what the mirror holds: a share can accept a write and store something else.
            var hash = BackupVerifier.Sha256Of(temporary, cancellationToken);
            if (!string.Equals(hash, backup.Sidecar.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new MirrorException($"the copy's SHA-256 {hash} differs from the sidecar's {backup.Sidecar.Sha256}");
            }

            File.Move(temporary, target, overwrite: false);
            FileDurability.FlushDirectory(folder);
        }
        finally
        {
            FileDurability.DeleteQuietly(temporary);
        }

        try
        {
            FileDurability.WriteAtomically(target + BackupSidecar.Suffix, sidecarBytes);
        }
        catch
        {
            FileDurability.DeleteQuietly(target);
            throw;
        }

        return target;
    }

    /// <summary>A reason the mirror copy was refused, worded for the MIMO401 message.</summary>
    private sealed class MirrorException(string message) : IOException(message);
}
