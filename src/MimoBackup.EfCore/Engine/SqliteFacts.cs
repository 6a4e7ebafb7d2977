using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>SQL text and connection strings shared by everything that touches a database file.</summary>
internal static class SqliteFacts
{
    public const int SqliteFull = 13;
    public const int SqliteBusy = 5;
    public const int SqliteLocked = 6;
    public const int SqliteNotADatabase = 26;
    public const int SqliteCorrupt = 11;
    public const int SqliteInterrupt = 9;

    /// <summary>How much of a database file read-only work maps into memory (SQLite caps it at its own limit).</summary>
    public const long MmapBytes = 1L << 34;

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A connection (read-write unless asked otherwise) that leaves no file handle behind after Dispose.</summary>
    public static SqliteConnection OpenUnpooled(string path, TimeSpan busyTimeout, bool readOnly = false)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString());
        connection.Open();
        Execute(connection, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}");
        return connection;
    }

    /// <summary>
    /// A read-only connection to a file nobody else writes (a backup copy): immutable, so SQLite takes no
    /// locks at all and hashing the same file from this process cannot drop one.
    /// </summary>
    public static SqliteConnection OpenImmutable(string path)
    {
        var uri = FileUri(path) + "?immutable=1";
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = uri,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        Execute(connection, $"PRAGMA mmap_size = {MmapBytes}");
        return connection;
    }

    /// <summary>
    /// A <c>file:</c> URI SQLite decodes back to exactly <paramref name="path"/>. <see cref="Uri.AbsoluteUri"/> is not
    /// one: it leaves <c>%41</c> as it is (SQLite then opens <c>A</c>) and a <c>#</c> or <c>?</c> ends the path.
    /// Every byte of the UTF-8 path but the unreserved ones is percent-encoded.
    /// </summary>
    public static string FileUri(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            full = "/" + full.Replace('\\', '/'); // file:///C:/folder/app.db
        }

        var uri = new System.Text.StringBuilder("file:", full.Length + 16);
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(full))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '.' or '_' or '~' || (c == ':' && OperatingSystem.IsWindows()))
            {
                uri.Append(c);
            }
            else
            {
                uri.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return uri.ToString();
    }

    // 4 MiB per backup step: a few hundred steps for a large database, each too short to be seen.
    private const long CopyStepBytes = 4L << 20;

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The ordinary tables, by name; virtual tables are left out (their module may be absent).</summary>
    public static List<string> UserTables(SqliteConnection connection)
    {
        using var list = connection.CreateCommand();
        list.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            + "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name";
        using var reader = list.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    /// <summary>
    /// SQLite's online backup of <paramref name="source"/> into <paramref name="destination"/>, as
    /// <see cref="SqliteConnection.BackupDatabase(SqliteConnection)"/> does it but a few MiB per step, so that the tool can
    /// show how far it is and a cancellation stops between steps. The destination's write transaction lasts from the
    /// first step to the last, so its other readers see the old content or the new, never a mix.
    /// </summary>
    public static void CopyDatabase(SqliteConnection source, SqliteConnection destination, string activity, CancellationToken cancellationToken)
    {
        var pageSize = Scalar<long>(source, "PRAGMA page_size");
        var pagesPerStep = (int)Math.Max(16, CopyStepBytes / pageSize);
        using var backup = SQLitePCL.raw.sqlite3_backup_init(destination.Handle, "main", source.Handle, "main");
        if (backup.IsInvalid)
        {
            SqliteException.ThrowExceptionForRC(SQLitePCL.raw.sqlite3_errcode(destination.Handle), destination.Handle);
        }

        int rc;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            rc = SQLitePCL.raw.sqlite3_backup_step(backup, pagesPerStep);
            SqliteException.ThrowExceptionForRC(rc, destination.Handle);
            var pages = (long)SQLitePCL.raw.sqlite3_backup_pagecount(backup);
            WorkProgress.Report(activity, (pages - SQLitePCL.raw.sqlite3_backup_remaining(backup)) * pageSize, pages * pageSize);
        }
        while (rc != SQLitePCL.raw.SQLITE_DONE);
    }

    /// <summary>Interrupts whatever the connection runs when the token is cancelled; dispose to stop listening.</summary>
    public static CancellationTokenRegistration InterruptOn(SqliteConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return cancellationToken.Register(() =>
        {
            if (connection.Handle is { } handle)
            {
                SQLitePCL.raw.sqlite3_interrupt(handle);
            }
        });
    }
}
