using System.Text.Json;

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
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var source = Path.GetFullPath(database);
        BackupResult? newest = null;
        foreach (var sidecarPath in Directory.EnumerateFiles(folder, "*.db" + BackupSidecar.Suffix))
        {
            BackupSidecar sidecar;
            try
            {
                sidecar = BackupSidecar.Load(sidecarPath);
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                continue; // An unreadable sidecar is no evidence of a backup.
            }

            var path = sidecarPath[..^BackupSidecar.Suffix.Length];
            var age = now - sidecar.CreatedUtc;
            if (sidecar.Verification.Passed
                && string.Equals(Path.GetFullPath(sidecar.Source.Path), source, StringComparison.Ordinal)
                && age <= maxAge && age >= TimeSpan.FromMinutes(-1)
                && File.Exists(path) && new FileInfo(path).Length == sidecar.SizeBytes
                && (newest is null || sidecar.CreatedUtc > newest.Sidecar.CreatedUtc))
            {
                newest = new BackupResult(path, sidecar, TimeSpan.Zero);
            }
        }

        return newest;
    }
}
