using System.Buffers;
using System.Globalization;
using System.Text.Json;
using SQLitePCL;

namespace MimoBackup.EfCore.Engine;

internal static partial class JsonImport
{
    /// <summary>Reading the file: the top-level object, the manifest and the data section.</summary>
    private sealed partial class Import
    {
        public BackupResult? Run(CancellationToken cancellationToken)
        {
            tokens.Expect(JsonTokenType.StartObject, "the export's opening '{'");
            BackupResult? backup = null;
            var transaction = false;
            try
            {
                while (true)
                {
                    if (!tokens.Read() || tokens.TokenType == JsonTokenType.EndObject)
                    {
                        break;
                    }

                    var property = tokens.StringValue;
                    switch (property)
                    {
                        case "format":
                            tokens.Expect(JsonTokenType.String, "the format name");
                            if (tokens.StringValue != ExportFormat.Name)
                            {
                                throw new JsonException($"the format is '{tokens.StringValue}', not '{ExportFormat.Name}'");
                            }

                            _formatNamed = true;
                            break;
                        case "formatVersion":
                            tokens.Expect(JsonTokenType.Number, "the format version");
                            _version = int.TryParse(tokens.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;
                            if (_version != ExportFormat.Version)
                            {
                                throw new MimoBackupException(MimoError.ImportFormatVersion, file, tokens.StringValue, ExportFormat.Version);
                            }

                            break;
                        case "lastMigration":
                            tokens.Read();
                            LastMigration = tokens.TokenType == JsonTokenType.Null ? null
                                : tokens.TokenType == JsonTokenType.String ? tokens.StringValue
                                : throw new JsonException("lastMigration is neither a string nor null");
                            break;
                        case "tables":
                            ReadManifestTables();
                            _manifestRead = true;
                            break;
                        case "data":
                            // The write lock comes first: no commit of the app's may fall between the checks, the
                            // pre-import backup and the import, or the backup could not undo the import exactly.
                            Lock();
                            transaction = true;
                            backup = Prepare();
                            Begin();
                            ReadData(cancellationToken);
                            _afterData = true;
                            break;
                        default:
                            tokens.Read();
                            tokens.Skip(); // source, exportedUtc and fields of later minor additions
                            break;
                    }
                }

                if (tokens.TokenType != JsonTokenType.EndObject || tokens.Read())
                {
                    throw new JsonException("the file ends before its closing '}'");
                }

                if (!transaction)
                {
                    throw new JsonException("the file has no data section");
                }

                _table = null;
                foreach (var table in Tables.Where(t => !_loaded.Contains(t.Name)))
                {
                    throw new JsonException($"the manifest lists table '{table.Name}' but the data has no rows section for it");
                }

                CheckForeignKeys();

                // A dry run has met every check a real import meets; it only does not keep the rows.
                SqliteFacts.Execute(Connection, request.DryRun ? "ROLLBACK" : "COMMIT");
                transaction = false;
                return backup;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(_decoded);
                // SQLite rolls back by itself after some errors (a full disk, say); a second ROLLBACK would hide the first error.
                if (transaction && raw.sqlite3_get_autocommit(Connection.Handle) == 0)
                {
                    SqliteFacts.Execute(Connection, "ROLLBACK");
                }
            }
        }

        private void ReadManifestTables()
        {
            tokens.Expect(JsonTokenType.StartArray, "the array of tables");
            while (tokens.Read() && tokens.TokenType != JsonTokenType.EndArray)
            {
                if (tokens.TokenType != JsonTokenType.StartObject)
                {
                    throw new JsonException($"expected a table object in the manifest, found {JsonTokenStream.Describe(tokens.TokenType)}");
                }

                string? name = null;
                long? rows = null;
                var columns = new List<ExportedColumn>();
                while (tokens.Read() && tokens.TokenType == JsonTokenType.PropertyName)
                {
                    switch (tokens.StringValue)
                    {
                        case "name":
                            tokens.Expect(JsonTokenType.String, "the table's name");
                            name = tokens.StringValue;
                            break;
                        case "rows":
                            tokens.Expect(JsonTokenType.Number, "the table's row count");
                            rows = long.TryParse(tokens.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : throw new JsonException("the row count is not a count");
                            break;
                        case "columns":
                            tokens.Expect(JsonTokenType.StartArray, "the table's columns");
                            while (tokens.Read() && tokens.TokenType == JsonTokenType.StartObject)
                            {
                                string? column = null;
                                while (tokens.Read() && tokens.TokenType == JsonTokenType.PropertyName)
                                {
                                    if (tokens.StringValue == "name")
                                    {
                                        tokens.Expect(JsonTokenType.String, "the column's name");
                                        column = tokens.StringValue;
                                    }
                                    else
                                    {
                                        tokens.Read();
                                        tokens.Skip();
                                    }
                                }

                                columns.Add(new ExportedColumn(column ?? throw new JsonException("a column has no name"), string.Empty, false, 0));
                            }

                            if (tokens.TokenType != JsonTokenType.EndArray)
                            {
                                throw new JsonException($"expected a column object, found {JsonTokenStream.Describe(tokens.TokenType)}");
                            }

                            break;
                        default:
                            tokens.Read();
                            tokens.Skip();
                            break;
                    }
                }

                if (name is null || rows is null || columns.Count == 0)
                {
                    throw new JsonException("a table of the manifest lacks its name, row count or columns");
                }

                if (Tables.Any(t => t.Name == name))
                {
                    throw new JsonException($"the manifest lists table '{name}' twice");
                }

                Tables.Add(new ExportedTable(name, string.Empty, false, false, columns, rows.Value));
            }
        }

        private void ReadData(CancellationToken cancellationToken)
        {
            tokens.Expect(JsonTokenType.StartArray, "the data array");
            while (tokens.Read() && tokens.TokenType != JsonTokenType.EndArray)
            {
                if (tokens.TokenType != JsonTokenType.StartObject)
                {
                    throw new JsonException($"expected a table's rows object, found {JsonTokenStream.Describe(tokens.TokenType)}");
                }

                tokens.Expect(JsonTokenType.PropertyName, "\"table\"");
                if (tokens.StringValue != "table")
                {
                    throw new JsonException($"a rows object starts with '{tokens.StringValue}' instead of \"table\"");
                }

                tokens.Expect(JsonTokenType.String, "the table's name");
                var name = tokens.StringValue;
                var table = Tables.FirstOrDefault(t => t.Name == name) ?? throw new JsonException($"the data holds table '{name}', which the manifest does not list");
                if (!_loaded.Add(name))
                {
                    throw new JsonException($"the data holds table '{name}' twice");
                }

                _table = name;
                _row = -1;
                tokens.Expect(JsonTokenType.PropertyName, "\"rows\"");
                if (tokens.StringValue != "rows")
                {
                    throw new JsonException($"expected \"rows\", found '{tokens.StringValue}'");
                }

                LoadRows(table, cancellationToken);
                tokens.Expect(JsonTokenType.EndObject, "the end of the table's rows object");
                _table = null;
            }
        }
    }
}
