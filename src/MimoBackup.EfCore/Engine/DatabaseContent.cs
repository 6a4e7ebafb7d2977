using Microsoft.Data.Sqlite;
using MimoBackup.EfCore.Internal;

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
            throw new MimoException(MimoError.NotASqliteDatabase, e, database, e.Message);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteFacts.SqliteBusy or SqliteFacts.SqliteLocked)
        {
            throw new MimoException(MimoError.DatabaseLocked, e, database, busyTimeout);
        }
    }
}
