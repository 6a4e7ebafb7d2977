using System.Text.RegularExpressions;
using System.Text;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;

namespace MimoBackup.EfCore.Engine;

/// <summary>A data-changing operation of one migration of a plan.</summary>
internal sealed record PlanFinding(string MigrationId, string Text)
{
    /// <summary>A drop of a table or column that holds no value in the database now: nothing is at stake.</summary>
    public bool NoDataAtStake { get; init; }

    public override string ToString() => Text;
}

/// <summary>
/// Finds the operations of a migration that can lose data, before anything runs (SPEC §3): drops, columns
/// made narrower, non-nullable or of another type, SQLite table rebuilds that leave a column behind, and
/// raw SQL that deletes, drops, truncates or updates without a WHERE.
/// </summary>
internal static partial class OperationClassifier
{
    /// <summary>
    /// Classifies every migration of a plan in the order it will run, following the table columns from the
    /// database as it is through each migration, so a later rebuild is judged against the columns it will meet.
    /// </summary>
    /// <returns>
    /// One finding per data-changing operation, its text prefixed with the migration's name; reverts are always
    /// listed, and a migration whose operations cannot even be built (an irreversible Down) is a finding, not a crash.
    /// </returns>
    public static IReadOnlyList<PlanFinding> ClassifyPlan(
        MigrationPlan plan,
        IMigrationsAssembly assembly,
        string provider,
        Dictionary<string, List<string>> databaseColumns,
        Func<string, string?, bool>? holdsData = null)
    {
        // What earlier operations of the plan touched (or any raw SQL, which may touch anything): only an untouched
        // table's or column's emptiness in the database now says what a drop will meet.
        var touched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var rawSqlSeen = false;
        var columns = databaseColumns.ToDictionary(t => t.Key, t => new List<string>(t.Value), StringComparer.OrdinalIgnoreCase);
        var known = assembly.Migrations.Keys.Order(StringComparer.Ordinal).ToList();
        var found = new List<PlanFinding>();
        foreach (var id in plan.ToRevert)
        {
            found.Add(new PlanFinding(id, $"Revert {Name(id)}"));
            Guarded(id, "Down", () =>
            {
                var migration = assembly.CreateMigration(assembly.Migrations[id], provider);
                var previous = known.IndexOf(id) is > 0 and var index ? assembly.CreateMigration(assembly.Migrations[known[index - 1]], provider) : null;
                Follow(migration.DownOperations, previous?.TargetModel, columns, found, id);
                Track(migration.DownOperations);
            });
        }

        foreach (var id in plan.ToApply)
        {
            Guarded(id, "Up", () =>
            {
                var migration = assembly.CreateMigration(assembly.Migrations[id], provider);
                var before = found.Count;
                Follow(migration.UpOperations, migration.TargetModel, columns, found, id);
                MarkEmptyDrops(migration.UpOperations, before);
                Track(migration.UpOperations);
            });
        }

        return found;

        void Track(IReadOnlyList<MigrationOperation> operations)
        {
            foreach (var operation in operations)
            {
                rawSqlSeen |= operation is SqlOperation;
                if (operation is ITableMigrationOperation table)
                {
                    touched.Add(table.Table);
                }
            }
        }

        void MarkEmptyDrops(IReadOnlyList<MigrationOperation> operations, int from)
        {
            if (holdsData is null || rawSqlSeen)
            {
                return;
            }

            var touchedHere = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var operation in operations)
            {
                var (table, column, text) = operation switch
                {
                    DropTableOperation drop => (drop.Name, (string?)null, $"DropTable {drop.Name}"),
                    DropColumnOperation drop => (drop.Table, drop.Name, $"DropColumn {drop.Table}.{drop.Name}"),
                    _ => (null, null, null),
                };
                if (operation is SqlOperation)
                {
                    return;
                }

                if (table is not null && !touched.Contains(table) && !touchedHere.Contains(table) && !holdsData(table, column))
                {
                    var at = found.FindIndex(from, f => f.Text == $"{Name(f.MigrationId)}: {text}");
                    if (at >= 0)
                    {
                        found[at] = found[at] with { Text = found[at].Text + " (no data at stake: it holds no value)", NoDataAtStake = true };
                    }
                }

                if (operation is ITableMigrationOperation other && operation is not DropColumnOperation)
                {
                    touchedHere.Add(other.Table);
                }
            }
        }

        // The app's migration code runs here (Up/Down build their operations): whatever it throws is its finding.
        void Guarded(string id, string direction, Action classify)
        {
            try
            {
                classify();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                found.Add(new PlanFinding(id, $"{Name(id)}: its {direction} cannot run ({e.GetBaseException().Message})"));
            }
        }
    }

    private static void Follow(IReadOnlyList<MigrationOperation> operations, IModel? model, Dictionary<string, List<string>> columns, List<PlanFinding> found, string id)
    {
        found.AddRange(Classify(operations, t => columns.GetValueOrDefault(t), t => ModelColumns(model, t)).Select(f => new PlanFinding(id, $"{Name(id)}: {f}")));
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case CreateTableOperation create:
                    columns[create.Name] = create.Columns.Select(c => c.Name).ToList();
                    break;
                case DropTableOperation drop:
                    columns.Remove(drop.Name);
                    break;
                case RenameTableOperation rename when rename.NewName is not null && columns.Remove(rename.Name, out var moved):
                    columns[rename.NewName] = moved;
                    break;
                case AddColumnOperation add when columns.TryGetValue(add.Table, out var list):
                    list.Add(add.Name);
                    break;
                case DropColumnOperation drop when columns.TryGetValue(drop.Table, out var list):
                    list.RemoveAll(c => string.Equals(c, drop.Name, StringComparison.OrdinalIgnoreCase));
                    break;
                case RenameColumnOperation rename when columns.TryGetValue(rename.Table, out var list)
                    && list.FindIndex(c => string.Equals(c, rename.Name, StringComparison.OrdinalIgnoreCase)) is >= 0 and var at:
                    list[at] = rename.NewName;
                    break;
                case ITableMigrationOperation table when RebuildsTable(operation) && ModelColumns(model, table.Table) is { } rebuilt:
                    columns[table.Table] = [.. rebuilt];
                    break;
            }
        }
    }

    /// <summary>The columns the model maps to a table: what a SQLite rebuild of that table copies.</summary>
    internal static IReadOnlyCollection<string>? ModelColumns(IModel? model, string table)
    {
        if (model is null)
        {
            return null;
        }

        var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entityType in model.GetEntityTypes())
        {
            if (StoreObjectIdentifier.Create(entityType, StoreObjectType.Table) is { } store && string.Equals(store.Name, table, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var property in entityType.GetProperties())
                {
                    if (property.GetColumnName(store) is { } column)
                    {
                        columns.Add(column);
                    }
                }
            }
        }

        return columns.Count == 0 ? null : columns;
    }

    internal static string Name(string migrationId) => migrationId.IndexOf('_', StringComparison.Ordinal) is > 0 and var at ? migrationId[(at + 1)..] : migrationId;

    /// <param name="operations">The operations of one migration, in order.</param>
    /// <param name="databaseColumns">The columns a table has in the database before the migration, or null if unknown.</param>
    /// <param name="modelColumns">The columns the migration's target model gives a table (what a rebuild copies), or null if unknown.</param>
    /// <returns>One line per data-losing operation, such as "DropColumn Notes.Body".</returns>
    public static IReadOnlyList<string> Classify(
        IEnumerable<MigrationOperation> operations,
        Func<string, IReadOnlyCollection<string>?> databaseColumns,
        Func<string, IReadOnlyCollection<string>?> modelColumns)
    {
        var found = new List<string>();
        var rebuilt = new List<string>();
        var dropped = new HashSet<(string Table, string Column)>();
        var added = new HashSet<(string Table, string Column)>();
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case DropTableOperation drop:
                    found.Add($"DropTable {drop.Name}");
                    break;
                case DropColumnOperation drop:
                    found.Add($"DropColumn {drop.Table}.{drop.Name}");
                    dropped.Add((drop.Table, drop.Name));
                    rebuilt.Add(drop.Table);
                    break;
                case DropSchemaOperation drop:
                    found.Add($"DropSchema {drop.Name}");
                    break;
                case DeleteDataOperation delete:
                    found.Add($"DeleteData {delete.Table}");
                    break;
                case UpdateDataOperation update:
                    found.Add($"UpdateData {update.Table}");
                    break;
                case AlterColumnOperation alter:
                    if (Narrowing(alter) is { } how)
                    {
                        found.Add($"AlterColumn {alter.Table}.{alter.Name} ({how})");
                    }

                    rebuilt.Add(alter.Table);
                    break;
                case AddColumnOperation add:
                    added.Add((add.Table, add.Name));
                    break;
                case SqlOperation sql when DestructiveStatement(sql.Sql) is { } statement:
                    found.Add($"Sql \"{statement}\"");
                    break;
                case ITableMigrationOperation table when RebuildsTable(operation):
                    rebuilt.Add(table.Table);
                    break;
            }
        }

        foreach (var table in rebuilt.Distinct(StringComparer.Ordinal))
        {
            var before = databaseColumns(table);
            var after = modelColumns(table);
            if (before is null || after is null)
            {
                continue;
            }

            foreach (var column in before.Where(c => !after.Contains(c, StringComparer.OrdinalIgnoreCase)
                && !dropped.Contains((table, c)) && !added.Contains((table, c))))
            {
                found.Add($"Rebuild {table} drops column {column}");
            }
        }

        return found;
    }

    /// <summary>SQLite cannot do these in place: EF rebuilds the table from the migration's target model.</summary>
    private static bool RebuildsTable(MigrationOperation operation)
        => operation is AddPrimaryKeyOperation or AddUniqueConstraintOperation or AddCheckConstraintOperation or AlterTableOperation
            or DropCheckConstraintOperation or DropForeignKeyOperation or DropPrimaryKeyOperation or DropUniqueConstraintOperation
            or AddForeignKeyOperation or AlterColumnOperation or DropColumnOperation;

    /// <summary>Why an altered column can lose data, or null when it cannot.</summary>
    internal static string? Narrowing(AlterColumnOperation alter)
    {
        var old = alter.OldColumn;
        if (old.IsNullable && !alter.IsNullable)
        {
            return "made non-nullable";
        }

        if (alter.MaxLength is { } length && (old.MaxLength is null || length < old.MaxLength))
        {
            return $"max length {old.MaxLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unbounded"} → {length}";
        }

        if (alter.Precision is { } precision && (old.Precision is null || precision < old.Precision)
            || alter.Scale is { } scale && (old.Scale is null || scale < old.Scale))
        {
            return "precision or scale reduced";
        }

        if (alter.ClrType != old.ClrType || !string.Equals(alter.ColumnType, old.ColumnType, StringComparison.OrdinalIgnoreCase)
            && alter.ColumnType is not null && old.ColumnType is not null)
        {
            return $"type {old.ColumnType ?? old.ClrType.Name} → {alter.ColumnType ?? alter.ClrType.Name}";
        }

        return null;
    }

    /// <summary>
    /// The first statement that deletes, drops, truncates, replaces (REPLACE deletes the rows it conflicts with),
    /// upserts or updates — with a WHERE or without: <c>UPDATE … SET x = NULL WHERE …</c> destroys values too; null if none.
    /// </summary>
    internal static string? DestructiveStatement(string sql)
    {
        foreach (var statement in Statements(sql))
        {
            var words = Keywords(statement);

            var outside = OutsideParentheses(Quoted().Replace(statement, " "));
            if (words.Contains("DROP") || words.Contains("TRUNCATE") || words.Contains("DELETE")
                || UpdateStatement().IsMatch(outside) || ReplaceStatement().IsMatch(outside))
            {
                var text = WhiteSpace().Replace(statement.Trim(), " ");
                return text.Length <= 60 ? text : text[..57] + "...";
            }
        }

        return null;
    }

    /// <summary>Splits on semicolons outside literals and comments, with comments removed.</summary>
    private static List<string> Statements(string sql)
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }

                current.Append(' ');
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 1;
                current.Append(' ');
            }
            else if (c is '\'' or '"' or '`' or '[')
            {
                var close = c == '[' ? ']' : c;
                var start = i;
                for (i++; i < sql.Length; i++)
                {
                    if (sql[i] == close)
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == close && close != ']')
                        {
                            i++; // A doubled quote is an escaped quote.
                            continue;
                        }

                        break;
                    }
                }

                current.Append(sql, start, Math.Min(i, sql.Length - 1) - start + 1);
            }
            else if (c == ';')
            {
                statements.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        statements.Add(current.ToString());
        return statements.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
    }

    /// <summary>The bare words of a statement, upper-cased, with quoted names and literals left out.</summary>
    private static string OutsideParentheses(string statement)
    {
        var outside = new StringBuilder(statement.Length);
        var depth = 0;
        foreach (var c in statement)
        {
            depth += c == '(' ? 1 : 0;
            outside.Append(depth == 0 ? c : ' ');
            depth -= c == ')' && depth > 0 ? 1 : 0;
        }

        return outside.ToString();
    }

    private static HashSet<string> Keywords(string statement)
        => Quoted().Replace(statement, " ")
            .Split((char[])[' ', '\t', '\r', '\n', '(', ')', ',', '.', '='], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.ToUpperInvariant())
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex("'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\\[[^\\]]*\\]")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    // An UPDATE statement (after a WITH clause, whose parentheses are blanked) or an upsert; not "AFTER UPDATE ON" of a
    // trigger or "ON UPDATE CASCADE" of a key, which change no row by being created.
    [GeneratedRegex(@"^\s*(?:WITH\b.*?)?\bUPDATE\b|\bDO\s+UPDATE\b", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex UpdateStatement();

    [GeneratedRegex(@"\b(?:REPLACE\s+INTO|OR\s+REPLACE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReplaceStatement();
}
