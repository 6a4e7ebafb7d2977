namespace MimoBackup.EfCore.Engine;

/// <summary>One object in a backup store: a backup, a sidecar, a leftover, or anything else that is there.</summary>
internal readonly record struct StoredObject(string Name, long Length, DateTimeOffset LastWriteUtc);

/// <summary>
/// Where backups live (the backup folder, its mirror; later object storage): it moves bytes and knows nothing of
/// SQLite. Names are flat (no folders). Nothing is ever overwritten: a write to a name that exists fails and leaves the
/// existing object as it was, and a half-written object never appears under its name. Readers go through
/// <see cref="BackupCatalog"/>, which decides what each object is.
/// </summary>
internal interface IBackupStore
{
    /// <summary>Where the store is, for messages: a folder's full path (later a bucket or container URL).</summary>
    string Location { get; }

    /// <summary>Where one object is, for messages; for a local folder its full path, which SQLite can open.</summary>
    string Locate(string name);

    /// <summary>Every object, in no particular order; a store that does not exist yet holds none.</summary>
    IReadOnlyList<StoredObject> List();

    /// <summary>The object of that name, or null when there is none.</summary>
    StoredObject? Find(string name);

    /// <summary>Opens an object for reading; <see cref="FileNotFoundException"/> when there is none.</summary>
    Stream OpenRead(string name);

    /// <summary>
    /// Writes <paramref name="content"/> as <paramref name="name"/>, create-only: <see cref="StoredObjectExistsException"/>
    /// when the name is taken, before or during the write. With <paramref name="sha256"/> the stored bytes are checked
    /// against it before the name is published (<see cref="StoredObjectChecksumException"/>); nothing is left on failure.
    /// </summary>
    void Write(string name, Stream content, string? sha256 = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; one that is already gone is not an error.</summary>
    void Delete(string name);

    /// <summary>Makes the deletions so far survive a power cut (the folder's fsync; nothing to do for object storage).</summary>
    void Sync();

    /// <summary>The sidecar of the backup <paramref name="backupName"/> (<c>&lt;backup&gt;.meta.json</c>).</summary>
    byte[] ReadSidecar(string backupName);

    /// <summary>Writes the sidecar of <paramref name="backupName"/>, create-only like <see cref="Write"/>.</summary>
    void WriteSidecar(string backupName, ReadOnlySpan<byte> content);

    /// <summary>Appends one whole line to the audit log: concurrent writers never interleave inside a line.</summary>
    void AppendAuditLine(string line);

    /// <summary>The audit log's lines, oldest first; none when there is no log.</summary>
    IEnumerable<string> ReadAuditLines();
}

/// <summary>A write refused because the name is already taken: the existing object is left as it was.</summary>
internal sealed class StoredObjectExistsException(string location)
    : IOException($"'{location}' already exists and is never overwritten");

/// <summary>A write whose stored bytes did not hash to what they should: nothing was published.</summary>
internal sealed class StoredObjectChecksumException(string actual, string expected)
    : IOException($"the stored copy's SHA-256 {actual} differs from the {expected} it should have");
