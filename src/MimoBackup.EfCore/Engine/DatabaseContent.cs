using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>Cheap questions about a database file, asked before deciding whether it needs protecting.</summary>
internal static class DatabaseContent
{
    /// <summary>Zero bytes, or a schema with nothing in it: a throw-away database with nothing to lose.</summary>
    public static bool IsEmpty(string database, TimeSpan busyTimeout)
    {
        if (new FileInfo(database).Length == 0)
        {
            return true;
        }

        return Ask(database, busyTimeout, c => SqliteFacts.Scalar<long>(c, "SELECT count(*) FROM sqlite_schema") == 0);
    }

    /// <summary>
    /// True when no table holds a row, EF's own bookkeeping tables aside: a database a test suite created and
    /// emptied, which a drop cannot lose anything of.
    /// </summary>
    public static bool HoldsNoRows(string database, TimeSpan busyTimeout, IReadOnlyCollection<string> bookkeeping)
        => IsEmpty(database, busyTimeout) || Ask(database, busyTimeout, connection =>
        {
            var tables = SqliteFacts.UserTables(connection);
            return tables.Where(t => !bookkeeping.Contains(t, StringComparer.OrdinalIgnoreCase))
                .All(t => SqliteFacts.Scalar<long>(connection, $"SELECT EXISTS (SELECT 1 FROM {SqliteFacts.Quote(t)})") == 0);
        });

    /// <summary>
    /// Whether <paramref name="table"/> has a row (or, with <paramref name="column"/>, a non-NULL value there);
    /// true when the table or column is not there, since then nothing can be said.
    /// </summary>
    public static bool HoldsValues(string database, TimeSpan busyTimeout, string table, string? column)
        => Ask(database, busyTimeout, connection =>
        {
            var columns = SqliteFacts.UserTables(connection).Contains(table, StringComparer.OrdinalIgnoreCase) ? Columns(connection, table) : null;
            if (columns is null || (column is not null && !columns.Contains(column, StringComparer.OrdinalIgnoreCase)))
            {
                return true;
            }

            var where = column is null ? "" : $" WHERE {SqliteFacts.Quote(column)} IS NOT NULL";
            return SqliteFacts.Scalar<long>(connection, $"SELECT EXISTS (SELECT 1 FROM {SqliteFacts.Quote(table)}{where})") != 0;
        });

    private static List<string> Columns(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info($table)";
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>The ids in EF's history table; none when it does not exist yet.</summary>
    public static HashSet<string> AppliedMigrations(string database, TimeSpan busyTimeout, string historyTable)
        => Ask(database, busyTimeout, connection =>
        {
            var applied = new HashSet<string>(StringComparer.Ordinal);
            if (!SqliteFacts.UserTables(connection).Contains(historyTable, StringComparer.OrdinalIgnoreCase))
            {
                return applied;
            }

            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT MigrationId FROM {SqliteFacts.Quote(historyTable)}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                applied.Add(reader.GetString(0));
            }

            return applied;
        });

    /// <summary>The virtual tables (FTS and the like): export and import leave them out.</summary>
    public static List<string> VirtualTables(string database, TimeSpan busyTimeout)
        => Ask(database, busyTimeout, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name";
            using var reader = command.ExecuteReader();
            var names = new List<string>();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            return names;
        });

    /// <summary>The columns of every table, as the database has them now.</summary>
    public static Dictionary<string, List<string>> Columns(string database, TimeSpan busyTimeout)
        => Ask(database, busyTimeout, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT m.name, p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid";
            using var reader = command.ExecuteReader();
            var columns = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            while (reader.Read())
            {
                if (!columns.TryGetValue(reader.GetString(0), out var list))
                {
                    columns[reader.GetString(0)] = list = [];
                }

                list.Add(reader.GetString(1));
            }

            return columns;
        });

    /// <summary>
    /// How the schema of <paramref name="database"/> differs from that of <paramref name="backup"/>: each table,
    /// index, view or trigger added, removed or defined differently ("added table Extra"), SQLite's own objects and
    /// <paramref name="ignoredTables"/> (EF's history and lock tables, with their indexes) aside. Empty when equal.
    /// </summary>
    public static List<string> SchemaDifferences(string backup, string database, TimeSpan busyTimeout, IReadOnlyCollection<string> ignoredTables)
    {
        Dictionary<(string Type, string Name), string> Read(SqliteConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
            using var reader = command.ExecuteReader();
            var objects = new Dictionary<(string, string), string>();
            while (reader.Read())
            {
                if (!ignoredTables.Contains(reader.GetString(2), StringComparer.OrdinalIgnoreCase))
                {
                    objects[(reader.GetString(0), reader.GetString(1))] = reader.GetString(3);
                }
            }

            return objects;
        }

        Dictionary<(string Type, string Name), string> before;
        using (var connection = SqliteFacts.OpenImmutable(backup))
        {
            before = Read(connection);
        }

        var now = Ask(database, busyTimeout, Read);
        var differences = new List<string>();
        foreach (var ((type, name), sql) in now.OrderBy(o => o.Key.Name, StringComparer.Ordinal))
        {
            if (!before.TryGetValue((type, name), out var was))
            {
                differences.Add($"added {type} {name}");
            }
            else if (!string.Equals(was, sql, StringComparison.Ordinal))
            {
                differences.Add($"changed {type} {name}");
            }
        }

        differences.AddRange(before.Keys.Where(k => !now.ContainsKey(k)).OrderBy(k => k.Name, StringComparer.Ordinal).Select(k => $"removed {k.Type} {k.Name}"));
        return differences;
    }

    /// <summary>
    /// SHA-256 of what the database holds — its schema and every row of every table, in rowid (or primary key)
    /// order, each value with its type — read in one read transaction. Two files with the same content have the
    /// same digest whatever their page layout, journal mode or header counters; any committed write changes it.
    /// Rows of <paramref name="ignoredTables"/> (EF's migration lock, which comes and goes) are left out.
    /// A backup (<paramref name="isBackup"/>) is a file nobody writes: it is opened immutable, so no -wal or -shm appears beside it.
    /// </summary>
    public static string ContentDigest(string database, bool isBackup, TimeSpan busyTimeout, IReadOnlyCollection<string> ignoredTables, CancellationToken cancellationToken)
    {
        if (isBackup)
        {
            using var backup = SqliteFacts.OpenImmutable(database);
            return Digest(backup);
        }

        return Ask(database, busyTimeout, Digest);

        string Digest(SqliteConnection connection)
        {
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var transaction = connection.BeginTransaction(deferred: true);
            var tables = new List<(string Name, bool WithoutRowid)>();
            using (var schema = connection.CreateCommand())
            {
                schema.CommandText = "SELECT s.type, s.name, s.tbl_name, coalesce(s.sql, ''), coalesce(l.wr, 0) FROM sqlite_schema s "
                    + "LEFT JOIN pragma_table_list l ON l.schema = 'main' AND l.name = s.name ORDER BY s.type, s.name";
                using var reader = schema.ExecuteReader();
                while (reader.Read())
                {
                    for (var i = 0; i < 4; i++)
                    {
                        Append(sha, reader.GetString(i));
                    }

                    if (reader.GetString(0) == "table" && !reader.GetString(3).StartsWith("CREATE VIRTUAL TABLE", StringComparison.OrdinalIgnoreCase)
                        && !ignoredTables.Contains(reader.GetString(1), StringComparer.OrdinalIgnoreCase))
                    {
                        tables.Add((reader.GetString(1), reader.GetInt64(4) != 0));
                    }
                }
            }

            foreach (var (name, withoutRowid) in tables)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var rows = connection.CreateCommand();
                rows.CommandText = $"SELECT * FROM {SqliteFacts.Quote(name)}" + (withoutRowid ? "" : " ORDER BY rowid");
                using var reader = rows.ExecuteReader();
                Append(sha, name);
                while (reader.Read())
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        AppendValue(sha, reader, i);
                    }
                }
            }

            return Convert.ToHexString(sha.GetHashAndReset());
        }
    }

    private static void AppendValue(System.Security.Cryptography.IncrementalHash sha, SqliteDataReader reader, int ordinal)
    {
        // The value's own storage class, not the column's declared type: SQLite lets any column hold any type.
        switch (reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal))
        {
            case null:
                sha.AppendData([0]);
                break;
            case long integer:
                sha.AppendData([1]);
                sha.AppendData(BitConverter.GetBytes(integer));
                break;
            case double real:
                sha.AppendData([2]);
                sha.AppendData(BitConverter.GetBytes(real));
                break;
            case string text:
                sha.AppendData([3]);
                Append(sha, text);
                break;
            case byte[] bytes:
                sha.AppendData([4]);
                sha.AppendData(BitConverter.GetBytes(bytes.Length));
                sha.AppendData(bytes);
                break;
            case var other:
                throw new InvalidOperationException($"SQLite returned a {other.GetType().Name}, which is not one of its storage classes.");
        }
    }

    private static void Append(System.Security.Cryptography.IncrementalHash sha, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        sha.AppendData(BitConverter.GetBytes(bytes.Length));
        sha.AppendData(bytes);
    }

    private static T Ask<T>(string database, TimeSpan busyTimeout, Func<SqliteConnection, T> question)
    {
        try
        {
            // Read-only: closing a read-write connection to a WAL database checkpoints it, and a refusal must
            // leave every byte as it was.
            using var connection = SqliteFacts.OpenUnpooled(database, busyTimeout, readOnly: true);
            return question(connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteFacts.SqliteNotADatabase)
        {
            throw new MimoBackupException(MimoError.NotASqliteDatabase, e, database, e.Message);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteFacts.SqliteBusy or SqliteFacts.SqliteLocked)
        {
            throw new MimoBackupException(MimoError.DatabaseLocked, e, database, busyTimeout);
        }
    }
}
