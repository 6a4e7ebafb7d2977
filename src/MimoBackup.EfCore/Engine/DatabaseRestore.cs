using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MimoBackup.EfCore.Engine;

/// <summary>What to restore, where to, and where the pre-restore backup goes.</summary>
internal sealed record RestoreRequest
{
    /// <summary>A backup or any SQLite file.</summary>
    public required string Source { get; init; }

    /// <summary>The sidecar of <see cref="Source"/> when it is one of our backups: its hash and row counts are checked.</summary>
    public BackupSidecar? SourceSidecar { get; init; }

    public required string DatabasePath { get; init; }
    public required string BackupFolder { get; init; }
    public required OriginFacts Origin { get; init; }
    public MigrationFacts? Migrations { get; init; }
    public MimoVerification Verify { get; init; } = MimoVerification.Full;
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Called once the source is checked and the current content kept, just before the database is written.</summary>
    public Action? BeforeCopy { get; init; }
}

/// <summary>What a restore did: the pre-restore backup to undo it with, and how the content got in.</summary>
/// <remarks><c>PreRestore</c> is null when there was nothing to keep; its sidecar says whether it was verified.</remarks>
internal sealed record RestoreResult(string Source, BackupResult? PreRestore, string Method, DatabaseCensus Census, TimeSpan Duration);

/// <summary>
/// Restores a database (SPEC §5): check the source, keep a pre-restore backup, copy with the online backup
/// API into the live database inside one write transaction — other connections see the old or the new
/// content, never a mix, and a killed restore rolls back — then compare row counts with the source.
/// </summary>
internal static class DatabaseRestore
{
    public static RestoreResult Run(RestoreRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var source = Path.GetFullPath(request.Source);
        var database = Path.GetFullPath(request.DatabasePath);
        if (string.Equals(source, database, StringComparison.Ordinal))
        {
            throw new MimoBackupException(MimoError.BadCommandUsage, $"'{source}' is the database itself; restoring it onto itself would do nothing");
        }

        // A symlink or hard link to the live file is the same file under another name: refused before anything is written.
        if (FileDurability.SameFile(source, database))
        {
            throw new MimoBackupException(MimoError.BadCommandUsage, $"'{source}' is a link to the database '{database}' itself; restoring it onto itself would do nothing, so nothing was written");
        }

        if (JournalOf(source) is { } suffix)
        {
            throw new MimoBackupException(MimoError.BadCommandUsage, $"'{source}' is the {suffix} file of a database, not a database: give the database, not its {suffix} ('{source[..^suffix.Length]}')");
        }

        DatabaseCensus? expected = null;
        if (request.SourceSidecar is { } sidecar)
        {
            var check = BackupCheck.Run(source, sidecar, request.Verify, cancellationToken);
            if (!check.Passed)
            {
                throw new MimoBackupException(MimoError.RestoreSourceRejected, source, check.Detail);
            }

            expected = check.Verification!.Census;
        }
        else if (!BackupCheck.HasSqliteHeader(source))
        {
            throw new MimoBackupException(MimoError.RestoreSourceRejected, source, "it is not a SQLite database (no SQLite header)");
        }

        string method;
        DatabaseCensus census;
        BackupResult? preRestore;
        try
        {
            (method, census, preRestore) = Copy(request, source, database, expected, cancellationToken);
        }
        catch (MimoBackupException e) when (e.Error == MimoError.DiskFull)
        {
            throw new MimoBackupException(MimoError.DiskFullDatabaseUnchanged, e, request.BackupFolder, "the pre-restore backup was written");
        }
        catch (Exception e) when (e is SqliteException { SqliteErrorCode: SqliteFacts.SqliteFull } || BackupWriter.IsDiskFull(e))
        {
            throw new MimoBackupException(MimoError.DiskFullDatabaseUnchanged, e, database, "the restored content was written into it");
        }

        var restored = CensusOfLive(database, request.BusyTimeout, cancellationToken);
        var differences = Differences(census, restored);
        if (differences.Count > 0)
        {
            throw new MimoBackupException(MimoError.RestoreMismatch, database, string.Join("; ", differences), preRestore?.Path ?? "(none: the database did not exist)");
        }

        return new RestoreResult(source, preRestore, method, restored, clock.Elapsed);
    }

    /// <summary>
    /// Keeps what is there now. A database too damaged for a verified backup is still kept, byte for byte and
    /// marked unverified: nothing is overwritten before a copy of it exists.
    /// </summary>
    private static BackupResult? KeepCurrent(RestoreRequest request, string database, CancellationToken cancellationToken)
    {
        if (!File.Exists(database) || new FileInfo(database).Length == 0)
        {
            return null;
        }

        try
        {
            return BackupWriter.Take(new BackupRequest
            {
                DatabasePath = database,
                BackupFolder = request.BackupFolder,
                Kind = BackupKind.PreRestore,
                Origin = request.Origin,
                Migrations = request.Migrations,
                Verify = request.Verify,
                BusyTimeout = request.BusyTimeout,
                Clock = request.Clock,
            }, cancellationToken);
        }
        catch (MimoBackupException e) when (e.Error == MimoError.DatabaseLocked)
        {
            throw new MimoBackupException(MimoError.RestoreLocked, e, database, request.BusyTimeout);
        }
        catch (MimoBackupException e) when (e.Error == MimoError.VerificationFailed || e.Error == MimoError.NotASqliteDatabase || e.Error == MimoError.SnapshotFailed)
        {
            return KeepDamaged(request, database, e.Message);
        }
    }

    private static BackupResult KeepDamaged(RestoreRequest request, string database, string reason)
    {
        var folder = Path.GetFullPath(request.BackupFolder);
        BackupFolder.Prepare(folder);
        var created = request.Clock.GetUtcNow();
        var stem = BackupWriter.Stem(BackupKind.PreRestore, created);
        var temporary = BackupWriter.TemporaryPath(folder, stem);
        try
        {
            FileDurability.CopyOwnerOnly(database, temporary);
            var path = BackupWriter.MoveIntoPlace(temporary, folder, stem);
            if (File.Exists(database + "-wal"))
            {
                // Under the copy's name SQLite would replay it, so whatever the WAL held stays recoverable.
                FileDurability.CopyOwnerOnly(database + "-wal", path + "-wal");
            }

            var sidecar = new BackupSidecar
            {
                Kind = BackupKind.PreRestore,
                Name = BackupKind.PreRestore,
                File = Path.GetFileName(path),
                CreatedUtc = created,
                Source = new SidecarSource(database, new FileInfo(database).Length, "unknown", 0, 0, "unknown"),
                SizeBytes = new FileInfo(path).Length,
                Sha256 = BackupVerifier.Sha256Of(path, CancellationToken.None),
                Verification = new SidecarVerification("none", "kept unverified: " + reason, false, request.Clock.GetUtcNow(), 0),
                Tables = [],
                Migrations = request.Migrations,
                Origin = request.Origin,
            };
            FileDurability.WriteAtomically(path + BackupSidecar.Suffix, sidecar.ToUtf8());
            return new BackupResult(path, sidecar, TimeSpan.Zero);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MimoBackupException(MimoError.BackupFolderNotWritable, e, folder, e.Message);
        }
        finally
        {
            FileDurability.DeleteQuietly(temporary);
        }
    }

    private static (string Method, DatabaseCensus Census, BackupResult? PreRestore) Copy(
        RestoreRequest request, string source, string database, DatabaseCensus? expected, CancellationToken cancellationToken)
    {
        // A checked backup is a file nobody writes: immutable, no locks. Any other file may be live, so it
        // is read inside one read transaction that both checks it and feeds the copy.
        using var reader = expected is null ? SqliteFacts.OpenUnpooled(source, request.BusyTimeout, readOnly: true) : SqliteFacts.OpenImmutable(source);
        DatabaseCensus census;
        SqliteFacts.Execute(reader, "BEGIN");
        try
        {
            census = expected ?? CheckArbitrarySource(reader, source, request.Verify, cancellationToken);

            // Only a source found sound is worth a pre-restore backup.
            var preRestore = KeepCurrent(request, database, cancellationToken);
            request.BeforeCopy?.Invoke();
            if (Healthy(database))
            {
                try
                {
                    using var live = SqliteFacts.OpenUnpooled(database, request.BusyTimeout);
                    var (sourcePageSize, livePageSize) = (SqliteFacts.Scalar<long>(reader, "PRAGMA page_size"), SqliteFacts.Scalar<long>(live, "PRAGMA page_size"));
                    if (sourcePageSize != livePageSize && SqliteFacts.Scalar<string>(live, "PRAGMA journal_mode") == "wal")
                    {
                        throw new MimoBackupException(MimoError.RestorePageSizeMismatch, database, source, sourcePageSize, livePageSize);
                    }

                    using var interrupt = SqliteFacts.InterruptOn(live, cancellationToken);
                    SqliteFacts.CopyDatabase(reader, live, "restoring " + Path.GetFileName(database), cancellationToken);
                    return ("online backup API into the live database", census, preRestore);
                }
                catch (SqliteException e) when (e.SqliteErrorCode is SqliteFacts.SqliteBusy or SqliteFacts.SqliteLocked)
                {
                    throw new MimoBackupException(MimoError.RestoreLocked, e, database, request.BusyTimeout);
                }
                catch (SqliteException e) when (e.SqliteErrorCode is SqliteFacts.SqliteCorrupt or SqliteFacts.SqliteNotADatabase)
                {
                    // The live file is too damaged to write into; its bytes are already kept, so replace it whole.
                }
            }

            Replace(reader, database, cancellationToken);
            return ("new file renamed over the damaged or missing database", census, preRestore);
        }
        finally
        {
            // Ending a read transaction loses nothing; on a damaged source it fails too, and must not hide the refusal.
            if (raw.sqlite3_get_autocommit(reader.Handle) == 0)
            {
                try
                {
                    SqliteFacts.Execute(reader, "COMMIT");
                }
                catch (SqliteException) when (expected is null)
                {
                }
            }
        }
    }

    private static DatabaseCensus CheckArbitrarySource(SqliteConnection reader, string source, MimoVerification mode, CancellationToken cancellationToken)
    {
        try
        {
            var method = mode == MimoVerification.Quick ? "quick_check" : "integrity_check";
            var lines = new List<string>();
            using (var interrupt = SqliteFacts.InterruptOn(reader, cancellationToken))
            using (var check = reader.CreateCommand())
            {
                check.CommandText = $"PRAGMA {method}(20)";
                using var rows = check.ExecuteReader();
                while (rows.Read())
                {
                    lines.Add(rows.GetString(0));
                }
            }

            if (lines is not ["ok"])
            {
                throw new MimoBackupException(MimoError.RestoreSourceRejected, source, $"{method} said: {string.Join("; ", lines)}");
            }

            return DatabaseCensus.Take(reader, cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteFacts.SqliteCorrupt or SqliteFacts.SqliteNotADatabase)
        {
            throw new MimoBackupException(MimoError.RestoreSourceRejected, e, source, "SQLite cannot read it: " + e.Message);
        }
    }

    /// <summary>The restored file is complete and flushed before it takes the database's name.</summary>
    private static void Replace(SqliteConnection reader, string database, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(database)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, "." + Path.GetFileName(database) + "." + Guid.NewGuid().ToString("N")[..8] + ".restoring");
        try
        {
            FileDurability.CreateOwnerOnly(temporary);
            using (var target = SqliteFacts.OpenUnpooled(temporary, TimeSpan.FromSeconds(1)))
            using (var interrupt = SqliteFacts.InterruptOn(target, cancellationToken))
            {
                SqliteFacts.CopyDatabase(reader, target, "restoring " + Path.GetFileName(database), cancellationToken);
            }

            FileDurability.FlushFile(temporary);
            if (File.Exists(database))
            {
                // The new file takes the old one's name, and with it its mode and owner: not the temporary's 0600.
                FileDurability.KeepOwnership(database, temporary);
            }
            else if (!OperatingSystem.IsWindows())
            {
                // A database that did not exist gets the mode any new file gets (0666 less the umask), as SQLite gives it.
                File.SetUnixFileMode(temporary, DefaultFileMode());
            }

            // A WAL left by the old file would be replayed onto the new one.
            File.Delete(database + "-wal");
            File.Delete(database + "-shm");
            File.Move(temporary, database, overwrite: true);
            FileDurability.FlushDirectory(folder);
        }
        finally
        {
            FileDurability.DeleteQuietly(temporary);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static UnixFileMode DefaultFileMode()
    {
        // The umask can only be read by setting it; a file created without a mode shows it instead.
        var probe = Path.Combine(Path.GetTempPath(), ".mimo-umask-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write))
            {
            }

            return File.GetUnixFileMode(probe);
        }
        finally
        {
            FileDurability.DeleteQuietly(probe);
        }
    }

    /// <summary>
    /// "-wal", "-shm" or "-journal" when <paramref name="path"/> names one of a database's side files (gone or not: the
    /// runner's own connection may have checkpointed and removed a -wal), unless it is itself a SQLite database.
    /// </summary>
    internal static string? JournalOf(string path)
    {
        var suffix = new[] { "-wal", "-shm", "-journal" }.FirstOrDefault(s => path.EndsWith(s, StringComparison.OrdinalIgnoreCase));
        return suffix is null || (File.Exists(path) && BackupCheck.HasSqliteHeader(path)) ? null : suffix;
    }

    private static bool Healthy(string database)
        => File.Exists(database) && new FileInfo(database).Length > 0 && BackupCheck.HasSqliteHeader(database);

    private static DatabaseCensus CensusOfLive(string database, TimeSpan busyTimeout, CancellationToken cancellationToken)
    {
        using var connection = SqliteFacts.OpenUnpooled(database, busyTimeout);
        return DatabaseCensus.Take(connection, cancellationToken);
    }

    /// <summary>Every table and column whose counts differ, either way.</summary>
    internal static List<string> Differences(DatabaseCensus expected, DatabaseCensus actual)
    {
        var differences = new List<string>();
        foreach (var table in expected.Tables)
        {
            var found = actual.Find(table.Name);
            if (found is null)
            {
                differences.Add($"{table.Name} is missing");
            }
            else if (found.Rows != table.Rows)
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"{table.Name}: {table.Rows:N0} rows expected, {found.Rows:N0} found"));
            }
            else
            {
                // Same rows but other non-null counts: values were emptied or a column changed.
                foreach (var (column, count) in table.Columns)
                {
                    if (!found.Columns.TryGetValue(column, out var foundCount))
                    {
                        differences.Add($"{table.Name}.{column} is missing");
                    }
                    else if (foundCount != count)
                    {
                        differences.Add(string.Create(CultureInfo.InvariantCulture, $"{table.Name}.{column}: {count:N0} non-null values expected, {foundCount:N0} found"));
                    }
                }
            }
        }

        differences.AddRange(actual.Tables.Where(t => expected.Find(t.Name) is null).Select(t => $"{t.Name} is not in the backup"));
        return differences;
    }
}
