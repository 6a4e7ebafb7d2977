using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>One table's row count and the non-null count of each of its columns.</summary>
internal sealed record TableCensus(string Name, long Rows, IReadOnlyDictionary<string, long> Columns);

/// <summary>
/// What a database holds, table by table: recorded in every sidecar and compared after migrating, because
/// a SQLite table rebuild or a cascade can empty data that the migration's C# never mentions.
/// </summary>
internal sealed record DatabaseCensus(IReadOnlyList<TableCensus> Tables)
{
    public long TotalRows => Tables.Sum(t => t.Rows);

    public TableCensus? Find(string table) => Tables.FirstOrDefault(t => string.Equals(t.Name, table, StringComparison.OrdinalIgnoreCase));

    /// <summary>Counts every ordinary table in one scan each; virtual tables are skipped (their module may be absent).</summary>
    public static DatabaseCensus Take(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var tables = SqliteFacts.UserTables(connection);

        using var interrupt = SqliteFacts.InterruptOn(connection, cancellationToken);
        var result = new List<TableCensus>(tables.Count);
        foreach (var table in tables)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var columns = new List<string>();
            using (var info = connection.CreateCommand())
            {
                info.CommandText = "SELECT name FROM pragma_table_info($table) ORDER BY cid";
                info.Parameters.AddWithValue("$table", table);
                using var reader = info.ExecuteReader();
                while (reader.Read())
                {
                    columns.Add(reader.GetString(0));
                }
            }

            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*)" + string.Concat(columns.Select(c => ", count(" + SqliteFacts.Quote(c) + ")"))
                + " FROM " + SqliteFacts.Quote(table);
            using var counts = count.ExecuteReader();
            counts.Read();
            var nonNull = new Dictionary<string, long>(columns.Count, StringComparer.Ordinal);
            for (var i = 0; i < columns.Count; i++)
            {
                nonNull[columns[i]] = counts.GetInt64(i + 1);
            }

            result.Add(new TableCensus(table, counts.GetInt64(0), nonNull));
        }

        return new DatabaseCensus(result);
    }
}
