using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MimoBackup.EfCore.Engine;

/// <summary>Everything needed to export one database to a JSON file.</summary>
internal sealed record ExportRequest
{
    public required string DatabasePath { get; init; }
    public required string ExportPath { get; init; }
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>A complete export file, renamed into place and flushed.</summary>
internal sealed record ExportResult(string Path, string? LastMigration, IReadOnlyList<ExportedTable> Tables, long Bytes, TimeSpan Duration)
{
    public long Rows => Tables.Sum(t => t.Rows);
}

/// <summary>
/// Writes every table of a database to one JSON file (SPEC §7), streaming: one read transaction gives a
/// consistent snapshot, rows go from SQLite's statement straight into the output buffer, memory stays flat.
/// The file is written under a temporary name in the target folder, flushed and only then renamed.
/// </summary>
internal static class JsonExport
{
    private const int CancellationCheck = 4096;

    public static ExportResult Write(ExportRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var target = Path.GetFullPath(request.ExportPath);
        var folder = Path.GetDirectoryName(target)!;
        var temporary = BackupWriter.TemporaryPath(folder, Path.GetFileName(target));
        var database = Path.GetFullPath(request.DatabasePath);

        try
        {
            using var connection = Open(database, request.BusyTimeout);
            using var interrupt = SqliteFacts.InterruptOn(connection, cancellationToken);

            // One read transaction pins one snapshot for every table. No memory map, unlike the snapshot: mapped pages
            // would count in the process's resident memory, which must stay flat whatever the database's size.
            SqliteFacts.Execute(connection, "BEGIN");
            try
            {
                var tables = ExportFormat.Tables(connection);
                for (var i = 0; i < tables.Count; i++)
                {
                    tables[i] = tables[i] with { Rows = SqliteFacts.Scalar<long>(connection, "SELECT count(*) FROM " + SqliteFacts.Quote(tables[i].Name)) };
                }

                var lastMigration = ExportFormat.LastMigration(connection);
                var progress = new WorkCounter("exporting " + Path.GetFileName(database), tables.Sum(t => t.Rows));
                long bytes;
                using (var file = Create(temporary))
                using (var output = new ExportOutput(file))
                {
                    WriteManifest(output, database, request.Clock.GetUtcNow(), lastMigration, tables);
                    output.Raw(",\n\"data\":["u8);
                    for (var i = 0; i < tables.Count; i++)
                    {
                        output.Raw(i == 0 ? "\n{\"table\":"u8 : ",\n{\"table\":"u8);
                        output.Quoted(tables[i].Name);
                        output.Raw(",\"rows\":["u8);
                        WriteRows(connection, tables[i], output, progress, cancellationToken);
                        output.Raw("\n]}"u8);
                    }

                    output.Raw("\n]}\n"u8);
                    output.Complete();
                    bytes = output.BytesWritten;
                }

                cancellationToken.ThrowIfCancellationRequested();
                File.Move(temporary, target, overwrite: true);
                FileDurability.FlushDirectory(folder);
                return new ExportResult(target, lastMigration, tables, bytes, clock.Elapsed);
            }
            finally
            {
                SqliteFacts.Execute(connection, "COMMIT");
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteFacts.SqliteInterrupt && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (SqliteException e)
        {
            throw e.SqliteErrorCode switch
            {
                SqliteFacts.SqliteNotADatabase => new MimoBackupException(MimoError.NotASqliteDatabase, e, database, e.Message),
                SqliteFacts.SqliteBusy or SqliteFacts.SqliteLocked => new MimoBackupException(MimoError.DatabaseLocked, e, database, request.BusyTimeout),
                _ => new MimoBackupException(MimoError.ExportSourceUnreadable, e, database, e.Message),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MimoBackupException(MimoError.ExportUnwritable, e, target, e.Message);
        }
        finally
        {
            FileDurability.DeleteQuietly(temporary);
        }
    }

    private static SqliteConnection Open(string database, TimeSpan busyTimeout)
    {
        if (!File.Exists(database))
        {
            throw new MimoBackupException(MimoError.ExportSourceUnreadable, database, "the file does not exist");
        }

        // Read-only: an export must not checkpoint (and so rewrite) the database it reads when it closes.
        return SqliteFacts.OpenUnpooled(database, busyTimeout, readOnly: true);
    }

    /// <summary>The export holds all the data: readable by its owner only, like a backup.</summary>
    private static FileStream Create(string temporary)
    {
        // No FileStream buffer: ExportOutput hands it megabyte blocks already.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(temporary, options);
    }

    private static void WriteManifest(ExportOutput output, string database, DateTimeOffset exported, string? lastMigration, List<ExportedTable> tables)
    {
        output.Raw("{\"format\":"u8);
        output.Quoted(ExportFormat.Name);
        output.Raw(",\"formatVersion\":"u8);
        output.Integer(ExportFormat.Version);
        output.Raw(",\"source\":"u8);
        output.Quoted(database);
        output.Raw(",\"exportedUtc\":"u8);
        output.Quoted(exported.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        output.Raw(",\"lastMigration\":"u8);
        if (lastMigration is null)
        {
            output.Raw("null"u8);
        }
        else
        {
            output.Quoted(lastMigration);
        }

        output.Raw(",\n\"tables\":["u8);
        for (var i = 0; i < tables.Count; i++)
        {
            var table = tables[i];
            output.Raw(i == 0 ? "\n{\"name\":"u8 : ",\n{\"name\":"u8);
            output.Quoted(table.Name);
            output.Raw(",\"rows\":"u8);
            output.Integer(table.Rows);
            output.Raw(",\"withoutRowid\":"u8);
            output.Flag(table.WithoutRowid);
            output.Raw(",\"strict\":"u8);
            output.Flag(table.Strict);
            output.Raw(",\"columns\":["u8);
            for (var c = 0; c < table.Columns.Count; c++)
            {
                var column = table.Columns[c];
                output.Raw(c == 0 ? "{\"name\":"u8 : ",{\"name\":"u8);
                output.Quoted(column.Name);
                output.Raw(",\"type\":"u8);
                output.Quoted(column.Type);
                output.Raw(",\"notNull\":"u8);
                output.Flag(column.NotNull);
                output.Raw(",\"primaryKey\":"u8);
                output.Integer(column.PrimaryKey);
                output.Append((byte)'}');
            }

            output.Raw("],\"sql\":"u8);
            output.Quoted(table.Sql);
            output.Append((byte)'}');
        }

        output.Raw("\n]"u8);
    }

    /// <summary>
    /// Reads each cell with the C API: its own storage class, and text as the bytes SQLite holds (which need
    /// not be valid UTF-8), without a managed object per cell.
    /// </summary>
    private static void WriteRows(SqliteConnection connection, ExportedTable table, ExportOutput output, WorkCounter progress, CancellationToken cancellationToken)
    {
        var db = connection.Handle!;
        var utf8 = SqliteFacts.Scalar<string>(connection, "PRAGMA encoding") == "UTF-8";
        var sql = "SELECT " + string.Join(", ", table.Columns.Select(c => SqliteFacts.Quote(c.Name))) + " FROM " + SqliteFacts.Quote(table.Name) + ExportFormat.OrderBy(table);
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            var columns = table.Columns.Count;
            long rows = 0;
            while (true)
            {
                var rc = raw.sqlite3_step(statement);
                if (rc == raw.SQLITE_DONE)
                {
                    break;
                }

                if (rc != raw.SQLITE_ROW)
                {
                    Check(db, rc);
                }

                if (++rows % CancellationCheck == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress.Add(CancellationCheck);
                }

                output.Raw(rows == 1 ? "\n["u8 : ",\n["u8);
                for (var i = 0; i < columns; i++)
                {
                    if (i > 0)
                    {
                        output.Append((byte)',');
                    }

                    switch (raw.sqlite3_column_type(statement, i))
                    {
                        case raw.SQLITE_INTEGER:
                            output.Integer(raw.sqlite3_column_int64(statement, i));
                            break;
                        case raw.SQLITE_FLOAT:
                            output.Real(raw.sqlite3_column_double(statement, i));
                            break;
                        case raw.SQLITE_TEXT:
                            // In a UTF-16 database only SQLite's conversion gives UTF-8; in a UTF-8 one the blob view is the raw bytes.
                            output.Text(utf8 ? raw.sqlite3_column_blob(statement, i) : ConvertedText(statement, i));
                            break;
                        case raw.SQLITE_BLOB:
                            output.Blob(raw.sqlite3_column_blob(statement, i));
                            break;
                        default:
                            output.Raw("null"u8);
                            break;
                    }
                }

                output.Append((byte)']');
            }

            progress.Add(rows % CancellationCheck);
            if (rows != table.Rows)
            {
                // Impossible inside one read transaction; a file that disagrees with its own manifest must never be written.
                throw new InvalidOperationException($"Table '{table.Name}' counted {table.Rows} rows but read {rows}.");
            }
        }
    }

    private static ReadOnlySpan<byte> ConvertedText(sqlite3_stmt statement, int column)
    {
        var text = raw.sqlite3_column_text(statement, column);
        var length = raw.sqlite3_column_bytes(statement, column); // After sqlite3_column_text: the length in UTF-8.
        return length == 0 ? default : MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in text.GetPinnableReference()), length);
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
