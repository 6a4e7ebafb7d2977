using System.Security.Cryptography;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// An <see cref="IObjectStore"/> on a local folder, to test what the core builds on object storage (encryption, the
/// backup store, retries) without a server; the providers themselves are tested against s3rver and Azurite.
/// </summary>
internal sealed class FolderObjectStore(string folder) : IObjectStore
{
    /// <summary>When set, every write fails after this many bytes, as a dropped connection would.</summary>
    public long? FailAfterBytes { get; set; }

    public string Location => "test://" + Path.GetFileName(folder);

    public string Folder => folder;

    public IReadOnlyList<StoredObject> List(CancellationToken cancellationToken = default)
        => Directory.Exists(folder)
            ? [.. new DirectoryInfo(folder).EnumerateFiles().Where(f => !f.Name.EndsWith(".part", StringComparison.Ordinal)).Select(f => new StoredObject(f.Name, f.Length, f.LastWriteTimeUtc))]
            : [];

    public StoredObject? Find(string name, CancellationToken cancellationToken = default)
        => new FileInfo(Path.Combine(folder, name)) is { Exists: true } f ? new StoredObject(f.Name, f.Length, f.LastWriteTimeUtc) : null;

    public Stream OpenRead(string name, CancellationToken cancellationToken = default)
        => File.Exists(Path.Combine(folder, name)) ? File.OpenRead(Path.Combine(folder, name)) : throw new FileNotFoundException(name);

    public string Write(string name, Stream content, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, name);
        if (File.Exists(target))
        {
            throw new StoredObjectExistsException(Location + "/" + name);
        }

        var part = target + "." + Guid.NewGuid().ToString("N")[..8] + ".part";
        try
        {
            using (var file = File.Create(part))
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = content.Read(buffer)) > 0)
                {
                    total += read;
                    if (total > FailAfterBytes)
                    {
                        throw new IOException("the connection was reset");
                    }

                    file.Write(buffer, 0, read);
                }
            }

            File.Move(part, target, overwrite: false);
        }
        finally
        {
            File.Delete(part);
        }

        using var stored = File.OpenRead(target);
        return Convert.ToHexStringLower(SHA256.HashData(stored));
    }

    public void Delete(string name, CancellationToken cancellationToken = default) => File.Delete(Path.Combine(folder, name));
}
