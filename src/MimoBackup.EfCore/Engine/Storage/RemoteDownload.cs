namespace MimoBackup.EfCore.Engine;

/// <summary>
/// A backup fetched from a store that SQLite cannot open in place (object storage) into a private temporary file of
/// the local backup folder, decrypted when it was encrypted. The caller checks it against its sidecar before it is
/// used, and deletes it after; if the process dies first, prune removes it as a leftover.
/// </summary>
internal sealed class RemoteDownload : IDisposable
{
    private RemoteDownload(string path) => Path = path;

    /// <summary>The temporary file.</summary>
    public string Path { get; }

    /// <summary>
    /// Downloads <paramref name="name"/> from <paramref name="store"/> into <paramref name="folder"/>; <paramref name="size"/>
    /// (the catalog's, 0 when unknown) is what the progress bar counts to.
    /// </summary>
    public static RemoteDownload Fetch(IBackupStore store, string name, long size, string folder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        Directory.CreateDirectory(folder);
        var path = BackupWriter.TemporaryPath(folder, name.EndsWith(".db", StringComparison.Ordinal) ? name[..^3] : name);
        try
        {
            using var source = store.OpenRead(name);
            using var file = new FileStream(path, FileDurability.NewOwnerOnly(1 << 20));
            var buffer = new byte[1 << 20];
            long done = 0;
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                file.Write(buffer, 0, read);
                WorkProgress.Report("downloading " + name, done += read, size);
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return new RemoteDownload(path);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is removed by the next prune.
        }
    }
}
