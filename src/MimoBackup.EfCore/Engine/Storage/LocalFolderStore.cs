using System.Text;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// A folder on a local or mounted disk: the backup folder, or <c>MimoMirrorDir</c>. Created owner-only (0700, with its
/// own <c>.gitignore</c>) on the first write; every file is 0600, written under a hidden temporary name, flushed, and
/// published by a rename that never replaces, followed by an fsync of the folder.
/// </summary>
internal sealed class LocalFolderStore(string folder) : IBackupStore
{
    private const int BufferSize = 1 << 20;

    public string Location { get; } = Path.GetFullPath(folder);

    public string Locate(string name) => Path.Combine(Location, Checked(name));

    public IReadOnlyList<StoredObject> List()
        => Directory.Exists(Location)
            ? [.. new DirectoryInfo(Location).EnumerateFiles().Select(f => new StoredObject(f.Name, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))]
            : [];

    public StoredObject? Find(string name)
    {
        var info = new FileInfo(Locate(name));
        return info.Exists ? new StoredObject(info.Name, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero)) : null;
    }

    public Stream OpenRead(string name)
        => new FileStream(Locate(name), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);

    public void Write(string name, Stream content, string? sha256 = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        WriteNew(
            Locate(name),
            BackupWriter.TemporaryPath(Location, name.EndsWith(".db", StringComparison.Ordinal) ? name[..^3] : name),
            copy => content.CopyTo(copy, BufferSize),
            temporary =>
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Read back what the folder holds: a share can accept a write and store something else.
                if (sha256 is not null && BackupVerifier.Sha256Of(temporary, cancellationToken) is var hash
                    && !string.Equals(hash, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new StoredObjectChecksumException(hash, sha256);
                }
            });
    }

    public void Delete(string name) => File.Delete(Locate(name));

    public void Sync() => FileDurability.FlushDirectory(Location);

    public byte[] ReadSidecar(string backupName) => File.ReadAllBytes(Locate(backupName + BackupSidecar.Suffix));

    public void WriteSidecar(string backupName, ReadOnlySpan<byte> content)
    {
        // <sidecar>.<8 hex>.tmp: the catalog knows it as a leftover if this is interrupted.
        var target = Locate(backupName + BackupSidecar.Suffix);
        var bytes = content.ToArray();
        WriteNew(target, target + "." + Guid.NewGuid().ToString("N")[..8] + BackupWriter.TemporarySuffix, stream => stream.Write(bytes), check: null);
    }

    public void AppendAuditLine(string line)
    {
        BackupFolder.Prepare(Location);

        // One write() of a whole line with O_APPEND: concurrent writers never interleave inside a line.
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(Locate(AuditLog.FileName), options);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    public IEnumerable<string> ReadAuditLines()
    {
        var log = Locate(AuditLog.FileName);
        return File.Exists(log) ? File.ReadLines(log) : [];
    }

    /// <summary>
    /// The one create-only write: an owner-only temporary file, written and flushed, optionally checked, then published
    /// under <paramref name="target"/>; the temporary file never outlives the call.
    /// </summary>
    private void WriteNew(string target, string temporary, Action<FileStream> write, Action<string>? check)
    {
        BackupFolder.Prepare(Location);
        RefuseIfTaken(target);
        try
        {
            FileDurability.CreateOwnerOnly(temporary);
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write, FileShare.None, BufferSize))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            check?.Invoke(temporary);
            Publish(temporary, target);
        }
        finally
        {
            FileDurability.DeleteQuietly(temporary);
        }
    }

    /// <summary>Renames without ever replacing (link(2) on Unix), then flushes the folder so the new name survives a power cut.</summary>
    private void Publish(string temporary, string target)
    {
        try
        {
            File.Move(temporary, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            throw new StoredObjectExistsException(target); // Another writer took the name during the write.
        }

        FileDurability.FlushDirectory(Location);
    }

    private static void RefuseIfTaken(string target)
    {
        if (File.Exists(target))
        {
            throw new StoredObjectExistsException(target);
        }
    }

    /// <summary>Names are flat: one that would leave the folder is a bug in the caller.</summary>
    private static string Checked(string name)
        => name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name is "." or ".."
            ? throw new ArgumentException($"'{name}' is not the name of an object in a backup folder.", nameof(name))
            : name;
}
