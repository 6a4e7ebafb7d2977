using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MimoBackup.EfCore.Internal;
using SQLitePCL;

namespace MimoBackup.EfCore.Engine;

/// <summary>Everything needed to import one export file into a database.</summary>
internal sealed record ImportRequest
{
    public required string DatabasePath { get; init; }
    public required string ImportPath { get; init; }
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Takes the <c>pre-import</c> backup (<see cref="BackupWriter.Take"/> with <see cref="BackupKind.PreImport"/>):
    /// called once the file's manifest is accepted, before anything is changed; null takes none.
    /// </summary>
    public Func<BackupResult>? TakeBackupFirst { get; init; }
}

/// <summary>An import that committed: the tables it replaced and the backup taken before.</summary>
internal sealed record ImportResult(string? LastMigration, IReadOnlyList<ExportedTable> Tables, BackupResult? Backup, long Bytes, TimeSpan Duration)
{
    public long Rows => Tables.Sum(t => t.Rows);
}

/// <summary>
/// Loads an export file into a database at the same last migration (SPEC §7), streaming: the file is read
/// through one refilled buffer, rows go through one prepared INSERT per table. Everything happens in one
/// transaction that foreign keys are checked in before commit; any failure rolls all of it back.
/// </summary>
internal static class JsonImport
{
    private const int CancellationCheck = 4096;
    private const int SqliteConstraint = 19;
    private const int SqliteMismatch = 20;
    private const int SqliteTooBig = 18;
    private const int EnableTriggers = 1003; // SQLITE_DBCONFIG_ENABLE_TRIGGER

    public static ImportResult Load(ImportRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var file = Path.GetFullPath(request.ImportPath);
        var database = Path.GetFullPath(request.DatabasePath);
        FileStream input;
        try
        {
            input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MimoBackupException(MimoError.ImportFileUnreadable, e, file, e.Message);
        }

        using (input)
        using (var tokens = new JsonTokenStream(input))
        {
            var load = new Import(request, file, database, tokens);
            try
            {
                using var connection = Open(database, request.BusyTimeout);
                load.Connection = connection;
                var backup = load.Run(cancellationToken);
                return new ImportResult(load.LastMigration, load.Tables, backup, input.Length, clock.Elapsed);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (MimoBackupException e) when (e.Error == MimoError.DiskFull)
            {
                throw new MimoBackupException(MimoError.DiskFullDatabaseUnchanged, e, database, "the pre-import backup was written");
            }
            catch (MimoBackupException)
            {
                throw;
            }
            catch (JsonException e)
            {
                throw new MimoBackupException(MimoError.ImportMalformed, e, file, load.Where, e.Message);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteFacts.SqliteInterrupt && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteFacts.SqliteNotADatabase)
            {
                throw new MimoBackupException(MimoError.NotASqliteDatabase, e, database, e.Message);
            }
            catch (SqliteException e) when (e.SqliteErrorCode is SqliteFacts.SqliteBusy or SqliteFacts.SqliteLocked)
            {
                throw new MimoBackupException(MimoError.DatabaseLocked, e, database, request.BusyTimeout);
            }
            catch (Exception e) when (e is SqliteException { SqliteErrorCode: SqliteFacts.SqliteFull } || BackupWriter.IsDiskFull(e))
            {
                // The import's one transaction rolled back: nothing of it reached the database.
                throw new MimoBackupException(MimoError.DiskFullDatabaseUnchanged, e, database, "the import was written (at " + load.Where + ")");
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                throw new MimoBackupException(MimoError.ImportFailed, e, database, load.Where, e.Message);
            }
        }
    }

    private static SqliteConnection Open(string database, TimeSpan busyTimeout)
    {
        if (!File.Exists(database))
        {
            throw new MimoBackupException(MimoError.ImportFailed, database, "the start", "the database file does not exist");
        }

        return SqliteFacts.OpenUnpooled(database, busyTimeout);
    }

    /// <summary>One import: the parser of the file's grammar and the writer of its rows.</summary>
    private sealed class Import(ImportRequest request, string file, string database, JsonTokenStream tokens)
    {
        private readonly Dictionary<string, ExportedTable> _target = new(StringComparer.Ordinal);
        private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
        private readonly Dictionary<string, bool> _rowidsAscend = new(StringComparer.Ordinal);
        private byte[] _decoded = ArrayPool<byte>.Shared.Rent(4096);
        private string? _table;
        private long _row = -1;
        private bool _manifestRead;
        private bool _formatNamed;
        private bool _afterData;
        private int? _version;

        public SqliteConnection Connection { get; set; } = null!;

        public string? LastMigration { get; private set; }

        public List<ExportedTable> Tables { get; } = [];

        /// <summary>Where the file was being read, for error messages.</summary>
        public string Where => _table is not null ? (_row < 0 ? $"table '{_table}'" : ExportFormat.Row(_table, _row))
            : _afterData ? "the end of the file"
            : _loaded.Count > 0 ? "the data section, after table '" + _loaded.Last() + "'"
            : "the manifest";

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
                SqliteFacts.Execute(Connection, "COMMIT");
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

                    _row++;
                }

                if (_row != table.Rows)
                {
                    throw new JsonException($"the file holds {_row} rows of table '{table.Name}' but its manifest says {table.Rows}");
                }

                _rowidsAscend[table.Name] = hasRowid && ascending;
            }
        }

        /// <summary>Binds the current cell with its own storage class (README, "Export and import").</summary>
        private void Bind(sqlite3 db, sqlite3_stmt insert, int index, string column)
        {
            int rc;
            switch (tokens.TokenType)
            {
                case JsonTokenType.Null:
                    rc = raw.sqlite3_bind_null(insert, index);
                    break;
                case JsonTokenType.Number when tokens.Value.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0:
                    rc = raw.sqlite3_bind_double(insert, index, double.Parse(tokens.Value, NumberStyles.Float, CultureInfo.InvariantCulture));
                    break;
                case JsonTokenType.Number:
                    if (!Utf8Parser.TryParse(tokens.Value, out long integer, out var used) || used != tokens.Value.Length)
                    {
                        throw new MimoBackupException(MimoError.ImportValueRejected, file, Where, $"column '{column}' holds the integer {tokens.StringValue}, which does not fit in 64 bits");
                    }

                    rc = raw.sqlite3_bind_int64(insert, index, integer);
                    break;
                case JsonTokenType.String:
                    rc = BindText(insert, index, tokens.Value);
                    break;
                case JsonTokenType.StartObject:
                    tokens.Expect(JsonTokenType.PropertyName, "the kind of a tagged cell (r, b or t64)");
                    var kind = tokens.StringValue;
                    tokens.Expect(JsonTokenType.String, $"the value of a '{kind}' cell");
                    rc = kind switch
                    {
                        "r" => double.TryParse(tokens.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
                            ? raw.sqlite3_bind_double(insert, index, real)
                            : throw new JsonException($"column '{column}' holds the real '{tokens.StringValue}', which is not a number"),
                        "b" => BindBlob(insert, index, Decode(column)),
                        "t64" => BindText(insert, index, Decode(column)),
                        _ => throw new JsonException($"column '{column}' holds a cell of unknown kind '{kind}'"),
                    };
                    tokens.Expect(JsonTokenType.EndObject, "the end of a tagged cell");
                    break;
                default:
                    throw new JsonException($"column '{column}' holds {JsonTokenStream.Describe(tokens.TokenType)}, which is not a cell");
            }

            Check(db, rc);
        }

        // An empty span is a null pointer to SQLite, which would bind NULL instead of an empty value.
        private static int BindText(sqlite3_stmt insert, int index, ReadOnlySpan<byte> utf8)
            => utf8.IsEmpty ? raw.sqlite3_bind_text(insert, index, string.Empty) : raw.sqlite3_bind_text(insert, index, utf8);

        private static int BindBlob(sqlite3_stmt insert, int index, ReadOnlySpan<byte> bytes)
            => bytes.IsEmpty ? raw.sqlite3_bind_zeroblob(insert, index, 0) : raw.sqlite3_bind_blob(insert, index, bytes);

        private ReadOnlySpan<byte> Decode(string column)
        {
            var encoded = tokens.Value;
            var size = Base64.GetMaxDecodedFromUtf8Length(encoded.Length);
            if (_decoded.Length < size)
            {
                ArrayPool<byte>.Shared.Return(_decoded);
                _decoded = ArrayPool<byte>.Shared.Rent(size);
            }

            if (Base64.DecodeFromUtf8(encoded, _decoded, out _, out var written) != OperationStatus.Done)
            {
                throw new JsonException($"column '{column}' holds base64 that does not decode");
            }

            return _decoded.AsSpan(0, written);
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

        private static void Check(sqlite3 db, int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
    }
}
