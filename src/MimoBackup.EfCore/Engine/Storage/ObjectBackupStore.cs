namespace MimoBackup.EfCore.Engine;

/// <summary>
/// A backup store on object storage (<c>MimoRemote</c>): backups and sidecars are objects under the prefix, sidecars
/// written after their backups, and the audit log stays in the local backup folder (object storage cannot append
/// a line, and the log says what happened on this machine).
/// </summary>
internal sealed class ObjectBackupStore(IObjectStore objects, IBackupStore auditHome) : IBackupStore
{
    /// <summary>The object store underneath, as the provider (and the encryption around it) made it.</summary>
    public IObjectStore Objects => objects;

    public string Location => objects.Location;

    public string Locate(string name) => objects.Location + "/" + name;

    public IReadOnlyList<StoredObject> List() => objects.List();

    public StoredObject? Find(string name) => objects.Find(name);

    public Stream OpenRead(string name) => objects.OpenRead(name);

    public void Write(string name, Stream content, string? sha256 = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var read = objects.Write(name, content, cancellationToken);

        // The provider checked that the service stored what was read; this checks that what was read is the backup.
        if (sha256 is not null && !string.Equals(read, sha256, StringComparison.OrdinalIgnoreCase))
        {
            objects.Delete(name, CancellationToken.None);
            throw new StoredObjectChecksumException(read, sha256);
        }
    }

    public void Delete(string name) => objects.Delete(name);

    public void Sync()
    {
        // A deletion acknowledged by the service is durable.
    }

    public byte[] ReadSidecar(string backupName)
    {
        using var stream = objects.OpenRead(backupName + BackupSidecar.Suffix);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public void WriteSidecar(string backupName, ReadOnlySpan<byte> content)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        objects.Write(backupName + BackupSidecar.Suffix, stream);
    }

    public void AppendAuditLine(string line) => auditHome.AppendAuditLine(line);

    public IEnumerable<string> ReadAuditLines() => auditHome.ReadAuditLines();
}
