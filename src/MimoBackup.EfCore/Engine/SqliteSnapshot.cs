using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>What the source database looked like at the moment of the snapshot.</summary>
internal sealed record SourceFacts(string SqliteVersion, long PageSize, long PageCount, string JournalMode);

/// <summary>
/// Copies a consistent image of a live database with SQLite's online backup API. The source file is never
/// opened by anything but SQLite: opening and closing it from this process would drop the POSIX locks that
/// this process's SQLite connections hold on it (sqlite.org, "How To Corrupt An SQLite Database File" 2.2).
/// </summary>
internal static class SqliteSnapshot
{
    /// <summary>Writes the copy; it is not yet flushed to disk when this returns.</summary>
    public static SourceFacts Copy(string sourcePath, string destinationPath, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        FileDurability.CreateOwnerOnly(destinationPath);
        SourceFacts facts;
        using (var source = SqliteFacts.OpenUnpooled(sourcePath, busyTimeout))
        using (var destination = OpenDestination(destinationPath))
        {
            // A read transaction opened here pins the snapshot; the backup step then copies from it instead
            // of restarting whenever another connection writes, and writers in WAL mode are never blocked.
            // Reads through a memory map skip a copy per page; SQLite maps only what the snapshot may read.
            SqliteFacts.Execute(source, $"PRAGMA mmap_size = {SqliteFacts.MmapBytes}");
            SqliteFacts.Execute(source, "BEGIN");
            try
            {
                facts = new SourceFacts(
                    SqliteFacts.Scalar<string>(source, "SELECT sqlite_version()"),
                    SqliteFacts.Scalar<long>(source, "PRAGMA page_size"),
                    SqliteFacts.Scalar<long>(source, "PRAGMA page_count"),
                    SqliteFacts.Scalar<string>(source, "PRAGMA journal_mode"));
                cancellationToken.ThrowIfCancellationRequested();
                using var interrupt = SqliteFacts.InterruptOn(source, cancellationToken);
                SqliteFacts.CopyDatabase(source, destination, "backing up " + Path.GetFileName(sourcePath), cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
            }
            finally
            {
                SqliteFacts.Execute(source, "COMMIT");
            }
        }

        // Both connections are closed: opening the copy now cannot disturb any SQLite lock. The caller
        // flushes it to disk (while verifying it) before giving it a backup's name.
        MarkRollbackJournal(destinationPath);
        return facts;
    }

    /// <summary>
    /// A copy of a WAL database keeps the WAL flag in its header, so every later reader would create -wal and
    /// -shm files beside it. Setting the header's read and write versions (bytes 18 and 19) to 1 makes it the
    /// self-contained rollback-journal file that <c>PRAGMA journal_mode = DELETE</c> would leave.
    /// </summary>
    private static void MarkRollbackJournal(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        Span<byte> versions = stackalloc byte[2];
        file.Position = 18;
        file.ReadExactly(versions);
        if (versions[0] == 2 && versions[1] == 2)
        {
            file.Position = 18;
            file.Write([1, 1]);
        }
    }

    private static SqliteConnection OpenDestination(string path)
    {
        var destination = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        destination.Open();
        // The copy is private until it is verified and renamed, and flushed once at the end: a journal
        // and per-transaction syncs on it would only cost time.
        SqliteFacts.Execute(destination, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE");
        return destination;
    }
}
