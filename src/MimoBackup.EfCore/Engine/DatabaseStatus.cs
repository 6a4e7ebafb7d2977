namespace MimoBackup.EfCore.Engine;

/// <summary>A database's health as <c>MimoStatus</c> shows it.</summary>
internal sealed record DatabaseStatus(bool Exists, long SizeBytes, long WalBytes, string JournalMode, int Tables, long Rows, string? Problem = null)
{
    /// <summary>SQLite checkpoints at 1,000 pages (4 MiB by default); a WAL this large means checkpoints are starved.</summary>
    public const long LargeWalBytes = 64L * 1024 * 1024;

    public static long WalSize(string database) => File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0;

    public static DatabaseStatus Read(string database, TimeSpan busyTimeout)
    {
        if (!File.Exists(database))
        {
            return new DatabaseStatus(false, 0, 0, "-", 0, 0);
        }

        try
        {
            using var connection = SqliteFacts.OpenUnpooled(database, busyTimeout);
            var census = DatabaseCensus.Take(connection, CancellationToken.None);
            return new DatabaseStatus(
                true,
                new FileInfo(database).Length,
                WalSize(database),
                SqliteFacts.Scalar<string>(connection, "PRAGMA journal_mode"),
                census.Tables.Count,
                census.TotalRows);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is SqliteFacts.SqliteCorrupt or SqliteFacts.SqliteNotADatabase)
        {
            return new DatabaseStatus(true, new FileInfo(database).Length, WalSize(database), "-", 0, 0, e.Message);
        }
    }

    /// <summary>Runs <c>PRAGMA wal_checkpoint(TRUNCATE)</c> and says what it did.</summary>
    public static string Checkpoint(string database, TimeSpan busyTimeout)
    {
        using var connection = SqliteFacts.OpenUnpooled(database, busyTimeout);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var reader = command.ExecuteReader();
        reader.Read();
        var (busy, log, done) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        return log < 0 ? "not in WAL mode, nothing to checkpoint"
            : busy != 0 ? $"another connection was busy; {done} of {log} frames copied into the database"
            : $"{done} of {log} frames copied into the database and the WAL truncated";
    }
}
