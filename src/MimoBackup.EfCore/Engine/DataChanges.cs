using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>What happened to one column of a table that exists before and after.</summary>
/// <remarks><c>NonNullBefore</c> is counted for vanished and renamed columns only.</remarks>
internal sealed record ColumnChange(string Column, long? NonNullBefore, long Nulled, long Changed, bool Vanished, string? RenamedTo);

/// <summary>One group of rows that <c>PRAGMA foreign_key_check</c> found pointing at nothing.</summary>
internal sealed record ForeignKeyViolation(string Table, string Parent, long Rows);

/// <summary>Rows of a child table deleted with rows of its parent by <c>ON DELETE CASCADE</c>.</summary>
internal sealed record CascadeDeletion(string Parent, long Rows);

/// <summary>What happened to one table of the backup.</summary>
internal sealed record TableChange(
    string Table,
    long RowsBefore,
    long RowsAfter,
    long Deleted,
    long Inserted,
    long ChangedRows,
    bool Vanished,
    string? RenamedTo,
    string MatchedBy,
    IReadOnlyList<ColumnChange> Columns,
    IReadOnlyList<CascadeDeletion> Cascades);

/// <summary>A table, index, trigger, view or foreign key of the backup that the database no longer has.</summary>
internal sealed record VanishedObject(string Type, string Name, string Table);

/// <summary>One line of a report, with the number of values at stake, so the largest come first.</summary>
internal sealed record Finding(long Weight, bool LosesData, string Text);

/// <summary>
/// Exactly what an update changed: the backup taken before it against a database after it (the rehearsal's copy
/// or the live file), row by row. Rows are matched by their declared primary key when both sides have the same
/// one (a SQLite rebuild renumbers the rowids of other tables), by rowid otherwise.
/// </summary>
internal sealed record DataChangeReport(IReadOnlyList<TableChange> Tables, IReadOnlyList<VanishedObject> Vanished, IReadOnlyList<ForeignKeyViolation> ForeignKeyViolations)
{
    /// <summary>True when some row, value or table holding values is gone or different.</summary>
    public bool LosesData => Findings().Any(f => f.LosesData);

    /// <summary>Nothing lost and no row pointing at nothing.</summary>
    public bool Clean => !LosesData && ForeignKeyViolations.Count == 0;

    /// <summary>Every finding, the largest first: data lost, then what was inserted, renamed or vanished from the schema.</summary>
    public IReadOnlyList<Finding> Findings()
    {
        var findings = new List<Finding>();
        foreach (var table in Tables)
        {
            if (table.Vanished)
            {
                findings.Add(new Finding(table.RowsBefore, table.RowsBefore > 0, $"table {table.Table} vanished with {Rows(table.RowsBefore)}"));
                continue;
            }

            if (table.RenamedTo is not null)
            {
                findings.Add(new Finding(0, false, $"table {table.Table} renamed to {table.RenamedTo}, rows intact"));
            }

            var name = table.RenamedTo ?? table.Table;
            var cascaded = table.Cascades.Sum(c => c.Rows);
            if (table.Deleted - cascaded > 0)
            {
                findings.Add(new Finding(table.Deleted - cascaded, true, $"{name}: {Rows(table.Deleted - cascaded)} deleted (of {N(table.RowsBefore)})"));
            }

            foreach (var cascade in table.Cascades)
            {
                findings.Add(new Finding(cascade.Rows, true, $"{name}: {Rows(cascade.Rows)} deleted by ON DELETE CASCADE from {cascade.Parent}"));
            }

            foreach (var column in table.Columns)
            {
                if (column.RenamedTo is not null)
                {
                    findings.Add(new Finding(0, false, $"{name}.{column.Column} renamed to {column.RenamedTo}, values intact"));
                }
                else if (column is { Vanished: true, NonNullBefore: var held })
                {
                    findings.Add(new Finding(held ?? 0, held > 0,
                        $"{name}.{column.Column} vanished" + (held > 0 ? $" with {Values(held.Value)}" : " (it held no value)")));
                }
                else
                {
                    if (column.Nulled > 0)
                    {
                        findings.Add(new Finding(column.Nulled, true, $"{name}.{column.Column}: {Values(column.Nulled)} set to NULL"));
                    }

                    if (column.Changed > 0)
                    {
                        findings.Add(new Finding(column.Changed, true, $"{name}.{column.Column}: {Values(column.Changed)} changed"));
                    }
                }
            }

            if (table.Inserted > 0)
            {
                findings.Add(new Finding(0, false, $"{name}: {Rows(table.Inserted)} inserted"));
            }
        }

        findings.AddRange(Vanished.Select(v => new Finding(0, false, $"{v.Type} {v.Name} on {v.Table} vanished")));
        findings.AddRange(ForeignKeyViolations.Select(v => new Finding(v.Rows, false, $"foreign_key_check: {Rows(v.Rows)} of {v.Table} point at no {v.Parent}")));
        return [.. findings.OrderByDescending(f => f.LosesData).ThenByDescending(f => f.Weight)];
    }

    /// <summary>One line: the totals of what was lost and what else changed.</summary>
    public string Summary()
    {
        var deleted = Tables.Where(t => !t.Vanished).Sum(t => t.Deleted);
        var nulled = Tables.Sum(t => t.Columns.Sum(c => c.Nulled));
        var changed = Tables.Sum(t => t.Columns.Sum(c => c.Changed));
        var droppedValues = Tables.Sum(t => t.Columns.Where(c => c.Vanished && c.RenamedTo is null).Sum(c => c.NonNullBefore ?? 0));
        var droppedTables = Tables.Where(t => t.Vanished && t.RowsBefore > 0).ToList();
        var lost = new List<string>();
        if (deleted > 0)
        {
            lost.Add($"{Rows(deleted)} deleted");
        }

        if (nulled > 0)
        {
            lost.Add($"{Values(nulled)} set to NULL");
        }

        if (changed > 0)
        {
            lost.Add($"{Values(changed)} changed");
        }

        if (droppedValues > 0)
        {
            lost.Add($"{Values(droppedValues)} in dropped columns");
        }

        if (droppedTables.Count > 0)
        {
            lost.Add($"{Plural(droppedTables.Count, "table")} dropped with {Rows(droppedTables.Sum(t => t.RowsBefore))}");
        }

        var other = new List<string>();
        var inserted = Tables.Sum(t => t.Inserted);
        if (inserted > 0)
        {
            other.Add($"{Rows(inserted)} inserted");
        }

        var renamed = Tables.Count(t => t.RenamedTo is not null) + Tables.Sum(t => t.Columns.Count(c => c.RenamedTo is not null));
        if (renamed > 0)
        {
            other.Add(Plural(renamed, "rename") + " with values intact");
        }

        if (Vanished.Count > 0)
        {
            other.Add($"{Plural(Vanished.Count, "index, trigger, view or foreign key", "indexes, triggers, views or foreign keys")} gone");
        }

        var text = lost.Count == 0 ? "no row or value lost" : string.Join(", ", lost);
        return other.Count == 0 ? text : text + "; " + string.Join(", ", other);
    }

    /// <summary>The summary, then at most <paramref name="limit"/> findings, then how many more the audit log holds.</summary>
    public IReadOnlyList<string> Lines(int limit = 10)
    {
        var findings = Findings();
        var lines = new List<string> { Summary() };
        lines.AddRange(findings.Take(limit).Select(f => "  " + f.Text));
        if (findings.Count > limit)
        {
            lines.Add($"  {N(findings.Count - limit)} more in audit.jsonl");
        }

        return lines;
    }

    /// <summary><see cref="Lines"/> as one text, the summary on the first line.</summary>
    public string Text() => string.Join(Environment.NewLine, Lines());

    /// <summary>The whole report, for audit.jsonl.</summary>
    public JsonObject ToJson() => new()
    {
        ["summary"] = Summary(),
        ["losesData"] = LosesData,
        ["tables"] = new JsonArray([.. Tables.Where(t => t.Vanished || t.RenamedTo is not null || t.Deleted + t.Inserted + t.ChangedRows > 0 || t.Columns.Count > 0)
            .Select(t => (JsonNode)new JsonObject
            {
                ["table"] = t.Table,
                ["rowsBefore"] = t.RowsBefore,
                ["rowsAfter"] = t.RowsAfter,
                ["deleted"] = t.Deleted,
                ["inserted"] = t.Inserted,
                ["changedRows"] = t.ChangedRows,
                ["vanished"] = t.Vanished,
                ["renamedTo"] = t.RenamedTo,
                ["matchedBy"] = t.MatchedBy,
                ["columns"] = new JsonArray([.. t.Columns.Select(c => (JsonNode)new JsonObject
                {
                    ["column"] = c.Column, ["nonNullBefore"] = c.NonNullBefore, ["nulled"] = c.Nulled, ["changed"] = c.Changed,
                    ["vanished"] = c.Vanished, ["renamedTo"] = c.RenamedTo,
                })]),
                ["cascades"] = new JsonArray([.. t.Cascades.Select(c => (JsonNode)new JsonObject { ["parent"] = c.Parent, ["rows"] = c.Rows })]),
            })]),
        ["vanished"] = new JsonArray([.. Vanished.Select(v => (JsonNode)new JsonObject { ["type"] = v.Type, ["name"] = v.Name, ["table"] = v.Table })]),
        ["foreignKeyViolations"] = new JsonArray([.. ForeignKeyViolations.Select(v => (JsonNode)new JsonObject { ["table"] = v.Table, ["parent"] = v.Parent, ["rows"] = v.Rows })]),
    };

    internal static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    internal static string Plural(long n, string one, string? many = null) => $"{N(n)} {(n == 1 ? one : many ?? one + "s")}";

    private static string Rows(long n) => Plural(n, "row");

    private static string Values(long n) => Plural(n, "value");
}

/// <summary>Compares a backup with a database after an update, row by row, inside SQLite (SPEC §10).</summary>
internal static class DataChanges
{
    private const string Before = "mimo_before";

    /// <param name="backup">The verified backup taken before the update; opened read-only.</param>
    /// <param name="database">The database after it: the rehearsal's copy or the live file; opened read-only.</param>
    /// <param name="ignoredTables">EF's history and lock tables, whose rows come and go by design.</param>
    /// <param name="busyTimeout">How long to wait for a writer of <paramref name="database"/>.</param>
    /// <param name="cancellationToken">Checked between tables.</param>
    public static DataChangeReport Compare(string backup, string database, IReadOnlyCollection<string> ignoredTables, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        using var connection = SqliteFacts.OpenUnpooled(database, busyTimeout, readOnly: true);

        // Before the backup is attached, so that only the database's own keys are checked.
        var violations = CheckForeignKeys(connection);
        using (var attach = connection.CreateCommand())
        {
            // A plain file name, never a URI: '%' and '?' in a path stay what they are.
            attach.CommandText = $"ATTACH DATABASE $path AS {Before}";
            attach.Parameters.AddWithValue("$path", backup);
            attach.ExecuteNonQuery();
        }

        SqliteFacts.Execute(connection, "BEGIN");
        try
        {
            return Measure(connection, ignoredTables, cancellationToken) with { ForeignKeyViolations = violations };
        }
        finally
        {
            SqliteFacts.Execute(connection, "COMMIT");
        }
    }

    private sealed record TableShape(string Name, bool WithoutRowid, List<string> Columns, List<string> PrimaryKey, List<ForeignKey> ForeignKeys);

    private sealed record ForeignKey(string Parent, List<string> From, List<string> To, string OnDelete);

    private static DataChangeReport Measure(SqliteConnection connection, IReadOnlyCollection<string> ignoredTables, CancellationToken cancellationToken)
    {
        var before = Shapes(connection, Before, ignoredTables);
        var after = Shapes(connection, "main", ignoredTables);
        var changes = new List<TableChange>();
        var added = after.Keys.Where(t => !before.ContainsKey(t)).ToList();

        foreach (var table in before.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rowsBefore = Count(connection, Before, table.Name);
            if (after.TryGetValue(table.Name, out var now))
            {
                changes.Add(CompareTable(connection, table, now, rowsBefore, null));
                continue;
            }

            if (added.FirstOrDefault(a => IsSameContent(connection, table, after[a], rowsBefore)) is { } renamed)
            {
                added.Remove(renamed);
                changes.Add(CompareTable(connection, table, after[renamed], rowsBefore, renamed));
                continue;
            }

            changes.Add(new TableChange(table.Name, rowsBefore, 0, rowsBefore, 0, 0, Vanished: true, null, "", [], []));
        }

        changes = AttributeCascades(connection, before, changes);
        var vanished = VanishedSchemaObjects(connection, before, after, changes);
        return new DataChangeReport(changes, vanished, []);
    }

    private static Dictionary<string, TableShape> Shapes(SqliteConnection connection, string schema, IReadOnlyCollection<string> ignoredTables)
    {
        var names = new List<(string Name, bool WithoutRowid)>();
        using (var command = connection.CreateCommand())
        {
            // type 'table' only: virtual tables and their shadow tables are the extension's business.
            command.CommandText = "SELECT name, wr FROM pragma_table_list WHERE schema = $schema AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
            command.Parameters.AddWithValue("$schema", schema);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!ignoredTables.Contains(reader.GetString(0), StringComparer.OrdinalIgnoreCase))
                {
                    names.Add((reader.GetString(0), reader.GetInt64(1) != 0));
                }
            }
        }

        var shapes = new Dictionary<string, TableShape>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, withoutRowid) in names)
        {
            var columns = new List<string>();
            var key = new SortedList<long, string>();
            using (var info = connection.CreateCommand())
            {
                info.CommandText = "SELECT name, pk FROM pragma_table_info($table, $schema) ORDER BY cid";
                info.Parameters.AddWithValue("$table", name);
                info.Parameters.AddWithValue("$schema", schema);
                using var reader = info.ExecuteReader();
                while (reader.Read())
                {
                    columns.Add(reader.GetString(0));
                    if (reader.GetInt64(1) > 0)
                    {
                        key.Add(reader.GetInt64(1), reader.GetString(0));
                    }
                }
            }

            var foreignKeys = new List<ForeignKey>();
            using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list($table, $schema) ORDER BY id, seq";
                list.Parameters.AddWithValue("$table", name);
                list.Parameters.AddWithValue("$schema", schema);
                using var reader = list.ExecuteReader();
                var byId = new Dictionary<long, ForeignKey>();
                while (reader.Read())
                {
                    if (!byId.TryGetValue(reader.GetInt64(0), out var foreignKey))
                    {
                        byId[reader.GetInt64(0)] = foreignKey = new ForeignKey(reader.GetString(1), [], [], reader.GetString(4));
                        foreignKeys.Add(foreignKey);
                    }

                    foreignKey.From.Add(reader.GetString(2));
                    foreignKey.To.Add(reader.IsDBNull(3) ? "" : reader.GetString(3));
                }
            }

            shapes[name] = new TableShape(name, withoutRowid, columns, [.. key.Values], foreignKeys);
        }

        return shapes;
    }

    /// <summary>
    /// The join condition between the backup's rows (alias <paramref name="b"/>) and the database's (alias
    /// <paramref name="a"/>): the primary key both declare, or else the rowid. A key other than an INTEGER PRIMARY
    /// KEY survives a SQLite rebuild, which renumbers the rowids.
    /// </summary>
    private static (string On, string MatchedBy) Key(TableShape before, TableShape after, string a = "a", string b = "b")
        => before.PrimaryKey.Count > 0 && before.PrimaryKey.SequenceEqual(after.PrimaryKey, StringComparer.OrdinalIgnoreCase)
            ? (string.Join(" AND ", before.PrimaryKey.Select(k => $"{a}.{Q(k)} IS {b}.{Q(k)}")), "primary key")
            : ($"{a}.rowid = {b}.rowid", "rowid");

    private static TableChange CompareTable(SqliteConnection connection, TableShape before, TableShape after, long rowsBefore, string? renamedTo)
    {
        var rowsAfter = Count(connection, "main", after.Name);
        var (on, matchedBy) = Key(before, after);
        var common = before.Columns.Where(c => after.Columns.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        var gone = before.Columns.Where(c => !after.Columns.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        var fresh = after.Columns.Where(c => !before.Columns.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();

        // One pass over the matched rows: per common column values NULLed and changed, per vanished × new column
        // the values that differ (zero means the column was renamed).
        var expressions = new List<string> { "count(*)" };
        expressions.Add(common.Count == 0 ? "0" : "coalesce(sum(" + string.Join(" OR ", common.Select(c => $"b.{Q(c)} IS NOT a.{Q(c)}")) + "), 0)");
        foreach (var column in common)
        {
            expressions.Add($"coalesce(sum(b.{Q(column)} IS NOT NULL AND a.{Q(column)} IS NULL), 0)");
            expressions.Add($"coalesce(sum(b.{Q(column)} IS NOT a.{Q(column)} AND a.{Q(column)} IS NOT NULL), 0)");
        }

        foreach (var old in gone)
        {
            expressions.Add($"coalesce(sum(b.{Q(old)} IS NOT NULL), 0)");
            foreach (var candidate in fresh)
            {
                expressions.Add($"coalesce(sum(b.{Q(old)} IS NOT a.{Q(candidate)}), 0)");
            }
        }

        var values = Row(connection, $"SELECT {string.Join(", ", expressions)} FROM {Before}.{Q(before.Name)} AS b JOIN main.{Q(after.Name)} AS a ON {on}");
        var matched = values[0];
        var columns = new List<ColumnChange>();
        for (var i = 0; i < common.Count; i++)
        {
            if (values[2 + 2 * i] + values[3 + 2 * i] > 0)
            {
                columns.Add(new ColumnChange(common[i], null, values[2 + 2 * i], values[3 + 2 * i], Vanished: false, null));
            }
        }

        if (gone.Count > 0)
        {
            var nonNull = Row(connection, $"SELECT {string.Join(", ", gone.Select(c => $"count({Q(c)})"))} FROM {Before}.{Q(before.Name)}");
            var offset = 2 + 2 * common.Count;
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < gone.Count; i++)
            {
                // Renamed when every row still there carries the old value under the new name, and some carry one; the
                // values of deleted rows went with their rows, which the table's line counts.
                var at = offset + i * (fresh.Count + 1);
                var renamed = values[at] > 0
                    ? fresh.Where((c, j) => !taken.Contains(c) && values[at + 1 + j] == 0).FirstOrDefault()
                    : null;
                if (renamed is not null)
                {
                    taken.Add(renamed);
                }

                columns.Add(new ColumnChange(gone[i], nonNull[i], 0, 0, Vanished: renamed is null, renamed));
            }
        }

        return new TableChange(before.Name, rowsBefore, rowsAfter, rowsBefore - matched, rowsAfter - matched, values[1], Vanished: false, renamedTo, matchedBy, columns, []);
    }

    /// <summary>A table that vanished under its name is renamed when a new table holds exactly its rows.</summary>
    private static bool IsSameContent(SqliteConnection connection, TableShape before, TableShape candidate, long rowsBefore)
    {
        if (before.Columns.Count != candidate.Columns.Count || Count(connection, "main", candidate.Name) != rowsBefore)
        {
            return false;
        }

        return Row(connection, $"SELECT count(*) FROM (SELECT * FROM {Before}.{Q(before.Name)} EXCEPT SELECT * FROM main.{Q(candidate.Name)})")[0] == 0;
    }

    /// <summary>Of a child's deleted rows, those whose parent row was deleted too through an ON DELETE CASCADE key.</summary>
    private static List<TableChange> AttributeCascades(SqliteConnection connection, Dictionary<string, TableShape> before, List<TableChange> changes)
    {
        var byName = changes.ToDictionary(c => c.Table, StringComparer.OrdinalIgnoreCase);
        var result = new List<TableChange>(changes.Count);
        foreach (var change in changes)
        {
            var cascades = new List<CascadeDeletion>();
            if (change.Deleted > 0 && !change.Vanished && change.RenamedTo is null)
            {
                foreach (var foreignKey in before[change.Table].ForeignKeys.Where(f => string.Equals(f.OnDelete, "CASCADE", StringComparison.OrdinalIgnoreCase)))
                {
                    if (!byName.TryGetValue(foreignKey.Parent, out var parent) || parent.Deleted == 0 || parent.RenamedTo is not null
                        || !before.TryGetValue(foreignKey.Parent, out var parentShape))
                    {
                        continue;
                    }

                    var to = foreignKey.To.All(t => t.Length == 0) ? parentShape.PrimaryKey : foreignKey.To;
                    if (to.Count != foreignKey.From.Count)
                    {
                        continue;
                    }

                    var childKey = Key(before[change.Table], before[change.Table], a: "x").On;
                    var parentKey = parent.Vanished ? null : Key(parentShape, parentShape, a: "y", b: "p").On;
                    var references = string.Join(" AND ", foreignKey.From.Select((f, i) => $"p.{Q(to[i])} = b.{Q(f)}"));
                    var parentGone = parentKey is null ? "" : $" AND NOT EXISTS (SELECT 1 FROM main.{Q(parentShape.Name)} AS y WHERE {parentKey})";
                    var rows = Row(connection, $"SELECT count(*) FROM {Before}.{Q(change.Table)} AS b "
                        + $"WHERE NOT EXISTS (SELECT 1 FROM main.{Q(change.Table)} AS x WHERE {childKey}) "
                        + $"AND EXISTS (SELECT 1 FROM {Before}.{Q(parentShape.Name)} AS p WHERE {references}{parentGone})")[0];
                    if (rows > 0)
                    {
                        cascades.Add(new CascadeDeletion(parentShape.Name, rows));
                    }
                }
            }

            result.Add(cascades.Count == 0 ? change : change with { Cascades = cascades });
        }

        return result;
    }

    private static List<VanishedObject> VanishedSchemaObjects(SqliteConnection connection, Dictionary<string, TableShape> before, Dictionary<string, TableShape> after, List<TableChange> changes)
    {
        var vanished = new List<VanishedObject>();
        var droppedTables = changes.Where(c => c.Vanished).Select(c => c.Table).ToHashSet(StringComparer.OrdinalIgnoreCase);
        using (var command = connection.CreateCommand())
        {
            // Indexes and triggers of a dropped table go with it: the table's line says so already.
            command.CommandText = $"SELECT type, name, tbl_name FROM {Before}.sqlite_schema WHERE type IN ('index', 'trigger', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                + "AND NOT EXISTS (SELECT 1 FROM main.sqlite_schema m WHERE m.type = sqlite_schema.type AND m.name = sqlite_schema.name) ORDER BY type, name";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (reader.GetString(0) == "view" || !droppedTables.Contains(reader.GetString(2)))
                {
                    vanished.Add(new VanishedObject(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                }
            }
        }

        foreach (var change in changes.Where(c => !c.Vanished))
        {
            var now = after[change.RenamedTo ?? change.Table];
            foreach (var foreignKey in before[change.Table].ForeignKeys)
            {
                var parent = changes.FirstOrDefault(c => string.Equals(c.Table, foreignKey.Parent, StringComparison.OrdinalIgnoreCase))?.RenamedTo ?? foreignKey.Parent;
                var kept = now.ForeignKeys.Any(f => string.Equals(f.Parent, parent, StringComparison.OrdinalIgnoreCase)
                    && f.From.SequenceEqual(foreignKey.From.Select(c => change.Columns.FirstOrDefault(x => x.Column == c)?.RenamedTo ?? c), StringComparer.OrdinalIgnoreCase));
                if (!kept)
                {
                    vanished.Add(new VanishedObject("foreign key", $"({string.Join(", ", foreignKey.From)}) → {foreignKey.Parent}", change.Table));
                }
            }
        }

        return vanished;
    }

    private static List<ForeignKeyViolation> CheckForeignKeys(SqliteConnection connection)
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

    private static long Count(SqliteConnection connection, string schema, string table) => Row(connection, $"SELECT count(*) FROM {schema}.{Q(table)}")[0];

    private static long[] Row(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        using var reader = command.ExecuteReader();
        reader.Read();
        var values = new long[reader.FieldCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? 0 : reader.GetInt64(i);
        }

        return values;
    }

    private static string Q(string identifier) => SqliteFacts.Quote(identifier);
}
