namespace MimoBackup.EfCore.Engine;

/// <summary>Finds the verified backup that makes a destructive operation acceptable (SPEC §3).</summary>
internal static class FreshBackups
{
    /// <summary>
    /// The newest complete, verified backup of <paramref name="database"/> taken within <paramref name="maxAge"/>;
    /// a sidecar whose file is gone or has another size does not count, nor does one dated in the future.
    /// </summary>
    public static BackupResult? Newest(string folder, string database, TimeSpan maxAge, DateTimeOffset now)
    {
        var source = Path.GetFullPath(database);
        return BackupCatalog.Read(folder)
            .Where(e => e.Verified
                && string.Equals(Path.GetFullPath(e.Sidecar!.Source.Path), source, StringComparison.Ordinal)
                && now - e.CreatedUtc <= maxAge && now - e.CreatedUtc >= TimeSpan.FromMinutes(-1))
            .Select(e => new BackupResult(e.Path, e.Sidecar!, TimeSpan.Zero))
            .FirstOrDefault(); // The catalog is newest first.
    }
}
