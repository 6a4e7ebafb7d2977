using System.Globalization;

namespace MimoBackup.EfCore.Engine;

/// <summary>A row EF left in its migration lock table, and which other processes have the database open.</summary>
internal sealed record MigrationLockLeftover(string Since, IReadOnlyList<int> HoldingProcesses, bool EveryProcessSeen);

/// <summary>
/// EF Core 9+ takes its SQLite migration lock by inserting a row into <c>__EFMigrationsLock</c> and waits, without a
/// limit, while one is there. A process killed while migrating leaves the row behind, and every later update then
/// hangs. This finds such a row before anything else is done, and releases it only when it can prove that no other
/// process has the database open (on Linux, from /proc); elsewhere it cannot prove it, so it never releases.
/// </summary>
internal static class MigrationLock
{
    public const string Table = "__EFMigrationsLock";

    /// <summary>The leftover row, or null when the table is absent or empty.</summary>
    public static MigrationLockLeftover? Find(string database, TimeSpan busyTimeout)
    {
        string? since;
        using (var connection = SqliteFacts.OpenUnpooled(database, busyTimeout, readOnly: true))
        {
            if (SqliteFacts.Scalar<long>(connection, $"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '{Table}'") == 0)
            {
                return null;
            }

            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT coalesce(CAST(Timestamp AS TEXT), '?') FROM \"{Table}\" LIMIT 1";
            since = command.ExecuteScalar() as string;
        }

        if (since is null)
        {
            return null;
        }

        var (holders, everyProcessSeen) = OtherProcessesHolding(database);
        return new MigrationLockLeftover(since, holders, everyProcessSeen);
    }

    /// <summary>Deletes the leftover row; only call it once <see cref="CanProveNobodyHolds"/> said so.</summary>
    public static void Release(string database, TimeSpan busyTimeout)
    {
        using var connection = SqliteFacts.OpenUnpooled(database, busyTimeout);
        using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM \"{Table}\"";
        command.ExecuteNonQuery();
    }

    /// <summary>Only where every process's open files can be read (Linux /proc) can "nobody holds it" be proven.</summary>
    public static bool CanProveNobodyHolds(MigrationLockLeftover leftover)
        => OperatingSystem.IsLinux() && leftover.EveryProcessSeen && leftover.HoldingProcesses.Count == 0;

    /// <summary>Processes other than this one with the database, its -wal or its -shm open.</summary>
    internal static (List<int> Holders, bool EveryProcessSeen) OtherProcessesHolding(string database)
    {
        var holders = new List<int>();
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/fd"))
        {
            return (holders, false);
        }

        var everyProcessSeen = true;
        var full = Path.GetFullPath(database);
        var othersCanWrite = OthersCanWrite(full);
        var names = new HashSet<string>([full, full + "-wal", full + "-shm", full + "-journal"], StringComparer.Ordinal);
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                foreach (var descriptor in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    if (new FileInfo(descriptor).LinkTarget is { } target && names.Contains(target))
                    {
                        holders.Add(pid);
                        break;
                    }
                }
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process: unseen, but it can only be migrating if it may write the database.
                everyProcessSeen &= !othersCanWrite;
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return (holders, everyProcessSeen);
    }

    /// <summary>
    /// Whether a user other than the file's owner may write it. When not, the processes we cannot look into (other
    /// users') cannot be running a migration on it; root's are the one exception we accept.
    /// </summary>
    private static bool OthersCanWrite(string database)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        try
        {
            return (File.GetUnixFileMode(database) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
