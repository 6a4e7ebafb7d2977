namespace MimoBackup.EfCore.Engine;

/// <summary>
/// Object storage under one prefix (an S3 bucket, an Azure Blob container): what a provider package implements. It moves
/// bytes and knows nothing of backups or sidecars; <see cref="ObjectBackupStore"/> makes a backup store of it. Names are
/// flat: objects below a deeper prefix are not listed. Nothing is ever overwritten, and an interrupted write leaves no
/// object under its name. Messages never carry a secret (keys, tokens, connection strings, signed URLs).
/// </summary>
internal interface IObjectStore
{
    /// <summary>The store as the user wrote it (<c>s3://bucket/prefix</c>), for messages: never a credential.</summary>
    string Location { get; }

    /// <summary>Every object directly under the prefix, in no particular order; none when the prefix is empty.</summary>
    IReadOnlyList<StoredObject> List(CancellationToken cancellationToken = default);

    /// <summary>The object of that name, or null when there is none.</summary>
    StoredObject? Find(string name, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for reading from its start; <see cref="FileNotFoundException"/> when there is none.</summary>
    Stream OpenRead(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores what <paramref name="content"/> holds until its end (a forward-only stream of unknown length) as
    /// <paramref name="name"/>, create-only: <see cref="StoredObjectExistsException"/> when the name is taken. Large
    /// content goes in parts, transient errors are retried, and the stored bytes are checked to be the bytes read
    /// (by the service's checksum or by reading them back; <see cref="StoredObjectChecksumException"/> otherwise). On any
    /// failure nothing is left under the name. Returns the SHA-256 (lower-case hex) of the content read, which a
    /// provider stores as it is (an encrypting store returns the plaintext's).
    /// </summary>
    string Write(string name, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes an object; one that is already gone is not an error. <see cref="StoredObjectDeleteRefusedException"/> when
    /// the service keeps it on purpose (object lock, legal hold, immutability policy).
    /// </summary>
    void Delete(string name, CancellationToken cancellationToken = default);
}

/// <summary>Opens the object store of one <see cref="RemoteAddress"/> scheme; a provider package holds one.</summary>
internal interface IObjectStoreProvider
{
    /// <summary>
    /// Opens <paramref name="address"/> with the service's own credential and endpoint chain. Nothing is sent yet: a
    /// store that cannot be reached fails on first use.
    /// </summary>
    IObjectStore Open(RemoteAddress address);
}

/// <summary>A deletion the service refuses on purpose (object lock, immutability): the object is kept.</summary>
internal sealed class StoredObjectDeleteRefusedException(string location, string reason)
    : IOException($"the service keeps '{location}' ({reason})");
