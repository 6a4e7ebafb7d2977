namespace MimoBackup.EfCore.Engine;

/// <summary>
/// Client-side encryption around a provider's object store (<c>MimoEncryptionKey</c>): with a key, every object is
/// written as <c>&lt;name&gt;.enc</c> in <see cref="ChunkedAesGcm"/>'s format, so the service only ever holds
/// ciphertext; without one, objects are written as they are. Either way reads find both forms under the plain name,
/// so a prefix that switched to encryption keeps its earlier backups; an encrypted one needs its key.
/// </summary>
internal sealed class EncryptedObjectStore(IObjectStore inner, EncryptionKey? key) : IObjectStore
{
    public const string Suffix = ".enc";

    public string Location => inner.Location;

    /// <summary>The key objects are written with, or null when they are written plain.</summary>
    public EncryptionKey? Key => key;

    public IReadOnlyList<StoredObject> List(CancellationToken cancellationToken = default)
    {
        var listed = inner.List(cancellationToken);
        // StoredObject is a struct: FirstOrDefault of none would be a default, not a null.
        if (key is null && listed.Where(o => o.Name.EndsWith(Suffix, StringComparison.Ordinal)).Select(o => (StoredObject?)o).FirstOrDefault() is { } encrypted)
        {
            // Said once, before any listing that would show every backup as unreadable.
            throw new EncryptionKeyMismatchException(inner.Location + "/" + encrypted.Name, KeyIdOf(encrypted.Name, cancellationToken), null).ToMimo();
        }

        return [.. listed.Select(Plain).OfType<StoredObject>()];
    }

    public StoredObject? Find(string name, CancellationToken cancellationToken = default)
        => inner.Find(name + Suffix, cancellationToken) is { } encrypted ? Plain(encrypted) : inner.Find(name, cancellationToken);

    public Stream OpenRead(string name, CancellationToken cancellationToken = default)
    {
        if (inner.Find(name + Suffix, cancellationToken) is null)
        {
            return inner.OpenRead(name, cancellationToken);
        }

        var location = inner.Location + "/" + name + Suffix;
        if (key is null)
        {
            throw new EncryptionKeyMismatchException(location, KeyIdOf(name + Suffix, cancellationToken), null);
        }

        var ciphertext = inner.OpenRead(name + Suffix, cancellationToken);
        try
        {
            return ChunkedAesGcm.Decrypt(ciphertext, key, location, name);
        }
        catch
        {
            ciphertext.Dispose();
            throw;
        }
    }

    public string Write(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);

        // One name, one backup: the other form of the name counts as taken too.
        var other = key is null ? name + Suffix : name;
        if (inner.Find(other, cancellationToken) is not null)
        {
            throw new StoredObjectExistsException(inner.Location + "/" + other);
        }

        if (key is null)
        {
            return inner.Write(name, content, cancellationToken);
        }

        // The provider vouches for the ciphertext it stored; the caller needs the SHA-256 of the plaintext read.
        using var plaintext = new HashingReadStream(content);
        using var ciphertext = ChunkedAesGcm.Encrypt(plaintext, key, name);
        inner.Write(name + Suffix, ciphertext, cancellationToken);
        return plaintext.Sha256();
    }

    public void Delete(string name, CancellationToken cancellationToken = default)
    {
        inner.Delete(name + Suffix, cancellationToken);
        inner.Delete(name, cancellationToken);
    }

    /// <summary>An object as the plain name and length show it; null for a <c>.enc</c> of no possible length.</summary>
    private static StoredObject? Plain(StoredObject stored)
    {
        if (!stored.Name.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return stored;
        }

        var length = ChunkedAesGcm.PlaintextLength(stored.Length);
        return length < 0 ? stored : stored with { Name = stored.Name[..^Suffix.Length], Length = length };
    }

    private string KeyIdOf(string storedName, CancellationToken cancellationToken)
    {
        using var stream = inner.OpenRead(storedName, cancellationToken);
        var header = new byte[ChunkedAesGcm.HeaderLength];
        var read = 0;
        while (read < header.Length && stream.Read(header, read, header.Length - read) is var n and > 0)
        {
            read += n;
        }

        return read == header.Length && ChunkedAesGcm.IsEncrypted(header) ? ChunkedAesGcm.KeyIdOf(header) : "(unreadable header)";
    }
}
