using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MimoBackup.EfCore.Engine;

internal static partial class JsonImport
{
    private const int CancellationCheck = 4096;
    private const int SqliteConstraint = 19;
    private const int SqliteMismatch = 20;
    private const int SqliteTooBig = 18;
    private const int EnableTriggers = 1003; // SQLITE_DBCONFIG_ENABLE_TRIGGER

    /// <summary>Writing into the database: the lock, the emptied tables, one prepared INSERT per table.</summary>
    private sealed partial class Import
    {
        /// <summary>
        /// Foreign keys off: no cascade may fire while tables are emptied and no check may run before every table
        /// is loaded; <c>PRAGMA foreign_key_check</c> then checks the whole database before commit. Triggers off:
        /// the file holds what the triggers wrote at the source already.
        /// </summary>
        private void Lock()
        {
            // Both settings only take effect outside a transaction.
            SqliteFacts.Execute(Connection, "PRAGMA foreign_keys = OFF");
            raw.sqlite3_db_config(Connection.Handle, EnableTriggers, 0, out _);
            SqliteFacts.Execute(Connection, "BEGIN IMMEDIATE");
        }

        private void Begin()
        {
            foreach (var table in Tables)
            {
                SqliteFacts.Execute(Connection, "DELETE FROM " + SqliteFacts.Quote(table.Name));
            }
        }

        private WorkCounter Progress => _progress ??= new WorkCounter("importing " + Path.GetFileName(file), Tables.Sum(t => t.Rows));

        private void LoadRows(ExportedTable table, CancellationToken cancellationToken)
        {
            var db = Connection.Handle!;
            if (table.Name == ExportFormat.Sequence)
            {
                // Loading the AUTOINCREMENT tables wrote counters of their own; the file's replace them.
                SqliteFacts.Execute(Connection, "DELETE FROM " + SqliteFacts.Quote(table.Name));
            }

            var columns = table.Columns.Count;
            var sql = "INSERT INTO " + SqliteFacts.Quote(table.Name) + " (" + string.Join(", ", table.Columns.Select(c => SqliteFacts.Quote(c.Name)))
                + ") VALUES (" + string.Join(", ", Enumerable.Range(1, columns).Select(i => "?" + i.ToString(CultureInfo.InvariantCulture))) + ")";
            Check(db, raw.sqlite3_prepare_v2(db, sql, out var insert));
            using (insert)
            {
                tokens.Expect(JsonTokenType.StartArray, "the array of rows");
                var hasRowid = !_target[table.Name].WithoutRowid;
                var ascending = true;
                var lastRowid = long.MinValue;
                _row = 0;
                while (true)
                {
                    if (!tokens.Read())
                    {
                        throw new JsonException("the file ends inside the rows");
                    }

                    if (tokens.TokenType == JsonTokenType.EndArray)
                    {
                        break;
                    }

                    if (tokens.TokenType != JsonTokenType.StartArray)
                    {
                        throw new JsonException($"expected a row (an array of cells), found {JsonTokenStream.Describe(tokens.TokenType)}");
                    }

                    if (_row % CancellationCheck == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    for (var i = 1; i <= columns; i++)
                    {
                        if (!tokens.Read() || tokens.TokenType == JsonTokenType.EndArray)
                        {
                            throw new JsonException($"the row has {i - 1} cells; the table has {columns} columns");
                        }

                        Bind(db, insert, i, table.Columns[i - 1].Name);
                    }

                    tokens.Expect(JsonTokenType.EndArray, $"the end of a row of {columns} cells");
                    var rc = raw.sqlite3_step(insert);
                    if (rc != raw.SQLITE_DONE)
                    {
                        raw.sqlite3_reset(insert);
                        var message = raw.sqlite3_errmsg(db).utf8_to_string();
                        if ((rc & 0xFF) is SqliteConstraint or SqliteMismatch or SqliteTooBig)
                        {
                            throw new MimoBackupException(MimoError.ImportValueRejected, file, Where, message);
                        }

                        SqliteException.ThrowExceptionForRC(rc, db);
                    }

                    raw.sqlite3_reset(insert);
                    if (hasRowid)
                    {
                        var rowid = raw.sqlite3_last_insert_rowid(db);
                        ascending &= rowid > lastRowid;
                        lastRowid = rowid;
                    }

                    if (++_row % CancellationCheck == 0)
                    {
                        Progress.Add(CancellationCheck);
                    }
                }

                Progress.Add(_row % CancellationCheck);
                if (_row != table.Rows)
                {
                    throw new JsonException($"the file holds {_row} rows of table '{table.Name}' but its manifest says {table.Rows}");
                }

                _rowidsAscend[table.Name] = hasRowid && ascending;
            }
        }

        private static void Check(sqlite3 db, int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
    }
}
