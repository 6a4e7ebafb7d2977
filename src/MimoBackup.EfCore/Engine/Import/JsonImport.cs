using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

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

    /// <summary>Checks and loads everything as a real import does, foreign keys included, then rolls it all back.</summary>
    public bool DryRun { get; init; }
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
internal static partial class JsonImport
{
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
    private sealed partial class Import(ImportRequest request, string file, string database, JsonTokenStream tokens)
    {
        private readonly Dictionary<string, ExportedTable> _target = new(StringComparer.Ordinal);
        private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
        private WorkCounter? _progress;
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
    }
}
