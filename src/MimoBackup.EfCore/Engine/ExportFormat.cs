using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// One column of an exported table, as <c>PRAGMA table_xinfo</c> declares it; <c>PrimaryKey</c> is its 1-based
/// position in the primary key, 0 when it is not part of it.
/// </summary>
internal sealed record ExportedColumn(string Name, string Type, bool NotNull, int PrimaryKey);

/// <summary>One table of an export: its declaration and how many rows the file holds for it.</summary>
internal sealed record ExportedTable(string Name, string Sql, bool WithoutRowid, bool Strict, IReadOnlyList<ExportedColumn> Columns, long Rows);

/// <summary>
/// The JSON export format (README, "Export and import"): a manifest, then the rows of every table, one JSON array
/// per row whose cells keep their SQLite storage class. Shared by <see cref="JsonExport"/> and <see cref="JsonImport"/>.
/// </summary>
internal static class ExportFormat
{
    public const string Name = "mimo-export";
    public const int Version = 1;
    public const string MigrationsHistory = "__EFMigrationsHistory";

    // AUTOINCREMENT counters: data, since the next id depends on them; sqlite_stat* are statistics and left out.
    public const string Sequence = "sqlite_sequence";

    /// <summary>
    /// The ordinary tables of the main schema, by name with <c>sqlite_sequence</c> last; virtual tables and
    /// their shadow tables are left out (their module may be absent and their content is derived).
    /// Generated columns are left out too: they cannot be inserted and follow from the others.
    /// </summary>
    public static List<ExportedTable> Tables(SqliteConnection connection)
    {
        var tables = new List<ExportedTable>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText =
                "SELECT l.name, s.sql, l.wr, l.\"strict\" FROM pragma_table_list l JOIN sqlite_schema s ON s.type = 'table' AND s.name = l.name "
                + "WHERE l.schema = 'main' AND l.type = 'table' AND (l.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR l.name = 'sqlite_sequence') "
                + "ORDER BY l.name = 'sqlite_sequence', l.name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(new ExportedTable(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3), [], 0));
            }
        }

        for (var i = 0; i < tables.Count; i++)
        {
            using var info = connection.CreateCommand();
            info.CommandText = "SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo($table) WHERE hidden = 0 ORDER BY cid";
            info.Parameters.AddWithValue("$table", tables[i].Name);
            using var reader = info.ExecuteReader();
            var columns = new List<ExportedColumn>();
            while (reader.Read())
            {
                columns.Add(new ExportedColumn(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetInt32(3)));
            }

            tables[i] = tables[i] with { Columns = columns };
        }

        return tables;
    }

    /// <summary>The newest applied EF migration: the largest id in <c>__EFMigrationsHistory</c>, null when none.</summary>
    public static string? LastMigration(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '" + MigrationsHistory + "'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return null;
        }

        command.CommandText = "SELECT max(MigrationId) FROM " + SqliteFacts.Quote(MigrationsHistory);
        return command.ExecuteScalar() as string;
    }

    /// <summary>A name for the rowid that no column of the table shadows; null when all three are taken.</summary>
    public static string? RowidName(ExportedTable table)
        => table.WithoutRowid
            ? null
            : new[] { "_rowid_", "rowid", "oid" }.FirstOrDefault(alias => !table.Columns.Any(c => string.Equals(c.Name, alias, StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// Storage order: rowid order, or primary-key order without a rowid. Rows are inserted in file order, so a
    /// re-export of an imported database lists them in the same order.
    /// </summary>
    public static string OrderBy(ExportedTable table)
    {
        if (RowidName(table) is { } rowid)
        {
            return " ORDER BY " + rowid;
        }

        var key = table.Columns.Where(c => c.PrimaryKey > 0).OrderBy(c => c.PrimaryKey).Select(c => SqliteFacts.Quote(c.Name)).ToList();
        return key.Count == 0 ? string.Empty : " ORDER BY " + string.Join(", ", key);
    }

    /// <summary>How an error message names a row: its 0-based index in the table's <c>rows</c> array.</summary>
    public static string Row(string table, long index)
        => $"table '{table}', row index {index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
