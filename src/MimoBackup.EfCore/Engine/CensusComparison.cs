using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>One table or column that holds less than the backup recorded.</summary>
internal sealed record DataLoss(string Table, string? Column, long Before, long After, bool Vanished)
{
    public override string ToString()
    {
        var subject = Column is null ? Table : Table + "." + Column;
        var unit = Column is null ? "rows" : "non-null values";
        return Vanished
            ? $"{subject} vanished (had {Before.ToString("N0", CultureInfo.InvariantCulture)} {unit})"
            : $"{subject}: {Before.ToString("N0", CultureInfo.InvariantCulture)} → {After.ToString("N0", CultureInfo.InvariantCulture)} {unit}";
    }
}

/// <summary>One group of rows that <c>PRAGMA foreign_key_check</c> found pointing at nothing.</summary>
internal sealed record ForeignKeyViolation(string Table, string Parent, long Rows)
{
    public override string ToString() => $"{Table} → {Parent}: {Rows.ToString("N0", CultureInfo.InvariantCulture)} rows";
}

/// <summary>What a migration did to the data, measured against the census of its pre-migration backup.</summary>
internal sealed record ComparisonReport(IReadOnlyList<DataLoss> Losses, IReadOnlyList<ForeignKeyViolation> ForeignKeyViolations)
{
    public bool Clean => Losses.Count == 0 && ForeignKeyViolations.Count == 0;

    /// <param name="before">The census recorded in the backup's sidecar.</param>
    /// <param name="after">The census of the database now.</param>
    /// <param name="ignoredTables">Tables whose shrinking is expected, such as EF's migrations history.</param>
    public static IReadOnlyList<DataLoss> Compare(DatabaseCensus before, DatabaseCensus after, IReadOnlyCollection<string> ignoredTables)
    {
        var losses = new List<DataLoss>();
        foreach (var table in before.Tables.Where(t => !ignoredTables.Contains(t.Name, StringComparer.OrdinalIgnoreCase)))
        {
            var now = after.Find(table.Name);
            if (now is null)
            {
                losses.Add(new DataLoss(table.Name, null, table.Rows, 0, Vanished: true));
                continue;
            }

            if (now.Rows < table.Rows)
            {
                losses.Add(new DataLoss(table.Name, null, table.Rows, now.Rows, Vanished: false));
            }

            foreach (var (column, nonNull) in table.Columns)
            {
                var current = now.Columns.FirstOrDefault(c => string.Equals(c.Key, column, StringComparison.OrdinalIgnoreCase));
                if (current.Key is null)
                {
                    // An empty column that disappears loses nothing, but a dropped column is still worth a line.
                    losses.Add(new DataLoss(table.Name, column, nonNull, 0, Vanished: true));
                }
                else if (current.Value < nonNull)
                {
                    losses.Add(new DataLoss(table.Name, column, nonNull, current.Value, Vanished: false));
                }
            }
        }

        return losses;
    }

    public static IReadOnlyList<ForeignKeyViolation> CheckForeignKeys(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"table\", parent, count(*) FROM pragma_foreign_key_check GROUP BY 1, 2 ORDER BY 1, 2";
        using var reader = command.ExecuteReader();
        var violations = new List<ForeignKeyViolation>();
        while (reader.Read())
        {
            violations.Add(new ForeignKeyViolation(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return violations;
    }

    /// <summary>Takes the live database's census and foreign-key check inside one read transaction.</summary>
    public static ComparisonReport Measure(string databasePath, DatabaseCensus before, IReadOnlyCollection<string> ignoredTables, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        using var connection = SqliteFacts.OpenUnpooled(databasePath, busyTimeout);
        SqliteFacts.Execute(connection, "BEGIN");
        try
        {
            var after = DatabaseCensus.Take(connection, cancellationToken);
            return new ComparisonReport(Compare(before, after, ignoredTables), CheckForeignKeys(connection));
        }
        finally
        {
            SqliteFacts.Execute(connection, "COMMIT");
        }
    }
}
