namespace MimoBackup.EfCore.Engine;

/// <summary>A backup that holds the database's current data, or why the newest candidate does not.</summary>
internal sealed record FreshBackupAnswer(BackupResult? Backup, string? WhyNot);

/// <summary>Finds the verified backup that makes a destructive operation acceptable (SPEC §3).</summary>
internal static class FreshBackups
{
    /// <summary>
    /// The newest complete, verified backup of <paramref name="database"/> taken within <paramref name="maxAge"/>
    /// that still holds the database's current data: its SHA-256 is checked again against its sidecar, and its
    /// content is compared with the database's, so a write after the backup makes it stale. A sidecar dated in
    /// the future does not count. Only the newest young candidate is judged: an older one cannot hold data the
    /// newer one does not.
    /// </summary>
    public static FreshBackupAnswer Find(string folder, string database, TimeSpan maxAge, DateTimeOffset now, TimeSpan busyTimeout,
        IReadOnlyCollection<string> ignoredTables, CancellationToken cancellationToken = default)
        => Find(new LocalFolderStore(folder), database, maxAge, now, busyTimeout, ignoredTables, cancellationToken);

    /// <inheritdoc cref="Find(string, string, TimeSpan, DateTimeOffset, TimeSpan, IReadOnlyCollection{string}, CancellationToken)"/>
    /// <remarks>The content comparison opens the backup with SQLite where the store locates it: a local folder.</remarks>
    public static FreshBackupAnswer Find(IBackupStore store, string database, TimeSpan maxAge, DateTimeOffset now, TimeSpan busyTimeout,
        IReadOnlyCollection<string> ignoredTables, CancellationToken cancellationToken = default)
    {
        var source = Path.GetFullPath(database);
        var candidate = BackupCatalog.Read(store, cancellationToken)
            .FirstOrDefault(e => e.Verified
                && string.Equals(Path.GetFullPath(e.Sidecar!.Source.Path), source, StringComparison.Ordinal)
                && now - e.CreatedUtc <= maxAge && now - e.CreatedUtc >= TimeSpan.FromMinutes(-1)); // The catalog is newest first.
        if (candidate is null)
        {
            return new FreshBackupAnswer(null, null);
        }

        var name = Path.GetFileName(candidate.Path);
        if (!string.Equals(BackupVerifier.Sha256Of(store, name, cancellationToken), candidate.Sidecar!.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return new FreshBackupAnswer(null, $"{name} no longer matches the SHA-256 its sidecar recorded: it changed after it was taken");
        }

        if (!string.Equals(
                DatabaseContent.ContentDigest(candidate.Path, isBackup: true, busyTimeout, ignoredTables, cancellationToken),
                DatabaseContent.ContentDigest(database, isBackup: false, busyTimeout, ignoredTables, cancellationToken),
                StringComparison.Ordinal))
        {
            return new FreshBackupAnswer(null, $"{name} does not hold the current data: the database changed after it was taken");
        }

        return new FreshBackupAnswer(new BackupResult(candidate.Path, candidate.Sidecar, TimeSpan.Zero), null);
    }
}
