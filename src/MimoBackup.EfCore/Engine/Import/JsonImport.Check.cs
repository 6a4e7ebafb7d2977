using System.Text.Json;

namespace MimoBackup.EfCore.Engine;

internal static partial class JsonImport
{
    /// <summary>The checks: the file against the database before anything changes, foreign keys before commit.</summary>
    private sealed partial class Import
    {
        /// <summary>Everything checked before the database is touched; then the pre-import backup.</summary>
        private BackupResult? Prepare()
        {
            if (!_formatNamed)
            {
                throw new JsonException($"the file does not say it is a '{ExportFormat.Name}' before its data");
            }

            if (_version is null)
            {
                throw new JsonException("the file has no formatVersion before its data");
            }

            if (!_manifestRead)
            {
                throw new JsonException("the file has no tables manifest before its data");
            }

            var current = ExportFormat.LastMigration(Connection);
            if (current != LastMigration)
            {
                throw new MimoBackupException(MimoError.ImportMigrationMismatch, file, LastMigration ?? "(none)", database, current ?? "(none)");
            }

            foreach (var table in ExportFormat.Tables(Connection))
            {
                _target[table.Name] = table;
            }

            foreach (var table in Tables)
            {
                if (!_target.TryGetValue(table.Name, out var target))
                {
                    throw new MimoBackupException(MimoError.ImportUnknownTable, file, $"table '{table.Name}'", database);
                }

                foreach (var column in table.Columns.Where(c => !target.Columns.Any(t => string.Equals(t.Name, c.Name, StringComparison.OrdinalIgnoreCase))))
                {
                    throw new MimoBackupException(MimoError.ImportUnknownTable, file, $"column '{column.Name}' of table '{table.Name}'", database);
                }
            }

            return request.TakeBackupFirst?.Invoke();
        }

        /// <summary>The first violation of the whole database, named by its row in the file where that is known.</summary>
        private void CheckForeignKeys()
        {
            using var command = Connection.CreateCommand();
            command.CommandText = "PRAGMA foreign_key_check";
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return;
            }

            var table = reader.GetString(0);
            var parent = reader.GetString(2);
            string row;
            if (reader.IsDBNull(1))
            {
                row = $"table '{table}', a row (a WITHOUT ROWID table, so its index is not known)";
            }
            else
            {
                var rowid = reader.GetInt64(1);
                var target = _target.GetValueOrDefault(table);
                if (_rowidsAscend.GetValueOrDefault(table) && target is not null && ExportFormat.RowidName(target) is { } alias)
                {
                    // Rows went in in file order with ascending rowids: a row's index is how many came before it.
                    row = ExportFormat.Row(table, SqliteFacts.Scalar<long>(Connection, $"SELECT count(*) FROM {SqliteFacts.Quote(table)} WHERE {alias} < {rowid}"));
                }
                else
                {
                    row = $"table '{table}', the row with rowid {rowid}" + (_loaded.Contains(table) ? string.Empty : " (a table the file does not hold)");
                }
            }

            throw new MimoBackupException(MimoError.ImportForeignKeyViolated, file, row, parent);
        }
    }
}
