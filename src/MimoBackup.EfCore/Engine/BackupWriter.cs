using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>The kinds of backup of SPEC §4; each is also the file-name prefix of an unnamed backup.</summary>
internal static class BackupKind
{
    public const string PreMigration = "pre-migration";
    public const string Manual = "backup";
    public const string PreRestore = "pre-restore";
    public const string PreDrop = "pre-drop";
    public const string PreImport = "pre-import";
}

/// <summary>Everything needed to take one verified backup.</summary>
internal sealed record BackupRequest
{
    public required string DatabasePath { get; init; }
    public required string BackupFolder { get; init; }
    public required string Kind { get; init; }
    public required OriginFacts Origin { get; init; }
    public string? Name { get; init; }
    public MimoVerification Verify { get; init; } = MimoVerification.Full;
    public bool Pinned { get; init; }
    public MigrationFacts? Migrations { get; init; }
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Test seam: runs on the copy between snapshot and verification.</summary>
    public Action<string>? AfterSnapshot { get; init; }
}

/// <summary>A backup that passed verification and has its sidecar.</summary>
internal sealed record BackupResult(string Path, BackupSidecar Sidecar, TimeSpan Duration)
{
    public string SidecarPath => Path + BackupSidecar.Suffix;
}

/// <summary>
/// Takes a verified backup: snapshot to a temporary name, flush, verify, rename atomically, sidecar last.
/// The copy is verified before it gets a backup's name, so a failed copy never looks like a backup.
/// </summary>
internal static class BackupWriter
{
    public const string TemporarySuffix = ".tmp";

    /// <summary>A backup's name before <c>.db</c>: its kind or name, then its UTC time, so names sort by age.</summary>
    internal static string Stem(string name, DateTimeOffset created)
        => name + "_" + created.UtcDateTime.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);

    /// <summary>A hidden, unique name for a file being written beside its final one: list and prune know it as a leftover.</summary>
    internal static string TemporaryPath(string folder, string stem)
        => Path.Combine(folder, "." + stem + "." + Guid.NewGuid().ToString("N")[..8] + TemporarySuffix);

    /// <summary>What a user calls the file: a temporary file of <see cref="TemporaryPath"/> by the backup it is becoming.</summary>
    internal static string DisplayName(string path)
    {
        var name = Path.GetFileName(path);
        const int Random = 9; // "." and 8 hex digits before the suffix
        return name.StartsWith('.') && name.EndsWith(TemporarySuffix, StringComparison.Ordinal) && name.Length > 1 + Random + TemporarySuffix.Length
            ? name[1..^(Random + TemporarySuffix.Length)] + ".db"
            : name;
    }

    public static BackupResult Take(BackupRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.StartNew();
        var verification = request.Verify.ToString().ToLowerInvariant();
        try
        {
            var result = TakeAndVerify(request, cancellationToken);
            BackupMetrics.BackupTaken(request.DatabasePath, request.Kind, verification, result.Duration, result.Sidecar.SizeBytes);
            BackupMetrics.Watch(request.DatabasePath, Path.GetDirectoryName(result.Path)!);
            return result;
        }
        catch (MimoBackupException e)
        {
            BackupMetrics.BackupFailed(request.DatabasePath, request.Kind, verification, started.Elapsed, e.Error.Code);
            if (e.Error == MimoError.VerificationFailed)
            {
                BackupMetrics.VerificationFailed(request.DatabasePath, "backup");
            }

            throw;
        }
    }

    private static BackupResult TakeAndVerify(BackupRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var folder = Path.GetFullPath(request.BackupFolder);
        var created = request.Clock.GetUtcNow();
        var stem = Stem(request.Name ?? request.Kind, created);
        var temporary = TemporaryPath(folder, stem);

        try
        {
            PrepareFolder(folder, temporary);
            var source = SqliteSnapshot.Copy(request.DatabasePath, temporary, request.BusyTimeout, cancellationToken);
            request.AfterSnapshot?.Invoke(temporary);

            // The flush to disk and the verification read the same fresh copy from the page cache: run together.
            var flushing = Task.Run(() => FileDurability.FlushFile(temporary), CancellationToken.None);
            Verification verification;
            try
            {
                verification = Verify(temporary, request, cancellationToken);
            }
            finally
            {
                flushing.Wait(CancellationToken.None);
            }

            if (!verification.Passed)
            {
                throw new MimoBackupException(MimoError.VerificationFailed, request.DatabasePath, $"{verification.Method} said: {verification.Result}");
            }

            cancellationToken.ThrowIfCancellationRequested();
            var path = MoveIntoPlace(temporary, folder, stem);
            var sidecar = new BackupSidecar
            {
                Kind = request.Kind,
                Name = request.Name ?? request.Kind,
                File = Path.GetFileName(path),
                CreatedUtc = created,
                Source = new SidecarSource(
                    Path.GetFullPath(request.DatabasePath),
                    new FileInfo(request.DatabasePath).Length,
                    source.SqliteVersion,
                    source.PageSize,
                    source.PageCount,
                    source.JournalMode),
                SizeBytes = new FileInfo(path).Length,
                Sha256 = verification.Sha256,
                Verification = new SidecarVerification(
                    verification.Method, verification.Result, verification.Passed, request.Clock.GetUtcNow(), (long)verification.Duration.TotalMilliseconds),
                Tables = verification.Census.Tables,
                Migrations = request.Migrations,
                Origin = request.Origin,
                Pinned = request.Pinned,
            };

            try
            {
                new LocalFolderStore(folder).WriteSidecar(Path.GetFileName(path), sidecar.ToUtf8());
            }
            catch
            {
                FileDurability.DeleteQuietly(path);
                throw;
            }

            return new BackupResult(path, sidecar, clock.Elapsed);
        }
        catch (Exception e) when (e is not MimoBackupException)
        {
            throw Translate(e, request, folder);
        }
        finally
        {
            FileDurability.DeleteQuietly(temporary);
        }
    }

    /// <summary>A copy too damaged for SQLite to read fails verification like one whose check reports errors.</summary>
    private static Verification Verify(string temporary, BackupRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return BackupVerifier.Verify(temporary, request.Verify, cancellationToken);
        }
        catch (Exception e) when (BackupCheck.Unreadable(e) is { } damage)
        {
            throw new MimoBackupException(MimoError.VerificationFailed, e, request.DatabasePath, damage.Message);
        }
    }

    private static void PrepareFolder(string folder, string temporary)
    {
        try
        {
            BackupFolder.Prepare(folder);

            FileDurability.CreateOwnerOnly(temporary);
            File.Delete(temporary); // The snapshot creates it again; this only proved the folder is writable.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !IsDiskFull(e))
        {
            throw new MimoBackupException(MimoError.BackupFolderNotWritable, e, folder, e.Message);
        }
    }

    /// <summary>Renames without ever replacing: two backups in the same second get <c>_2</c>, <c>_3</c>…</summary>
    internal static string MoveIntoPlace(string temporary, string folder, string stem)
    {
        for (var attempt = 1; ; attempt++)
        {
            var path = Path.Combine(folder, stem + (attempt == 1 ? string.Empty : "_" + attempt.ToString(CultureInfo.InvariantCulture)) + ".db");
            if (File.Exists(path) || File.Exists(path + BackupSidecar.Suffix))
            {
                continue;
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                continue; // Another process took the name between the check and the move.
            }

            FileDurability.FlushDirectory(folder);
            return path;
        }
    }

    private static MimoBackupException Translate(Exception e, BackupRequest request, string folder)
        => e switch
        {
            OperationCanceledException => new MimoBackupException(MimoError.Cancelled, e, request.DatabasePath),
            SqliteException { SqliteErrorCode: SqliteFacts.SqliteInterrupt } => new MimoBackupException(MimoError.Cancelled, e, request.DatabasePath),
            SqliteException { SqliteErrorCode: SqliteFacts.SqliteFull } => new MimoBackupException(MimoError.DiskFull, e, folder),
            SqliteException { SqliteErrorCode: SqliteFacts.SqliteBusy or SqliteFacts.SqliteLocked } =>
                new MimoBackupException(MimoError.DatabaseLocked, e, request.DatabasePath, request.BusyTimeout),
            SqliteException { SqliteErrorCode: SqliteFacts.SqliteNotADatabase } => new MimoBackupException(MimoError.NotASqliteDatabase, e, request.DatabasePath, e.Message),
            _ when IsDiskFull(e) => new MimoBackupException(MimoError.DiskFull, e, folder),
            UnauthorizedAccessException => new MimoBackupException(MimoError.BackupFolderNotWritable, e, folder, e.Message),
            AggregateException { InnerExceptions: [var inner] } => inner is MimoBackupException mimo ? mimo : Translate(inner, request, folder),
            _ => new MimoBackupException(MimoError.SnapshotFailed, e, request.DatabasePath, e.Message),
        };

    internal static bool IsDiskFull(Exception e)
        => e is IOException io && ((io.HResult & 0xFFFF) is 28 or 112 or 39
            || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));
}
