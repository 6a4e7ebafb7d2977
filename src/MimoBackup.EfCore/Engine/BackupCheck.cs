using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>The outcome of re-checking a file against what its sidecar promised.</summary>
internal sealed record BackupCheckResult(bool Passed, string Detail, Verification? Verification);

/// <summary>
/// Re-checks a stored backup (SPEC §5): SQLite header, SHA-256 against the sidecar, integrity check and row
/// counts. A backup is a file nobody writes, so it is opened immutable and never locked.
/// </summary>
internal static class BackupCheck
{
    private static ReadOnlySpan<byte> Header => "SQLite format 3\0"u8;

    public static bool HasSqliteHeader(string path)
    {
        Span<byte> header = stackalloc byte[16];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual(Header);
    }

    /// <summary>Checks <paramref name="path"/>; with a sidecar, also its hash and row counts.</summary>
    public static BackupCheckResult Run(string path, BackupSidecar? sidecar, MimoVerification mode, CancellationToken cancellationToken)
    {
        try
        {
            return Check(path, sidecar, mode, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A backup that vanished or cannot be opened failed its check; it is not an unexpected error.
            return new BackupCheckResult(false, "it cannot be read: " + e.Message, null);
        }
    }

    private static BackupCheckResult Check(string path, BackupSidecar? sidecar, MimoVerification mode, CancellationToken cancellationToken)
    {
        if (!HasSqliteHeader(path))
        {
            return new BackupCheckResult(false, "it is not a SQLite database (no SQLite header)", null);
        }

        Verification verification;
        try
        {
            verification = BackupVerifier.Verify(path, mode, cancellationToken);
        }
        catch (Exception e) when (Unreadable(e) is { } damage)
        {
            var changed = sidecar is null ? null : HashMismatch(BackupVerifier.Sha256Of(path, cancellationToken), sidecar);
            return new BackupCheckResult(false, (changed is null ? "" : changed + "; ") + "SQLite cannot read it: " + damage.Message, null);
        }

        if (sidecar is not null && HashMismatch(verification.Sha256, sidecar) is { } mismatch)
        {
            return new BackupCheckResult(false, mismatch, verification);
        }

        if (!verification.Passed)
        {
            return new BackupCheckResult(false, $"{verification.Method} said: {verification.Result}", verification);
        }

        if (sidecar is { Verification.Passed: false })
        {
            return new BackupCheckResult(false, "its sidecar records that it failed verification when it was taken: " + sidecar.Verification.Result, verification);
        }

        if (sidecar is not null)
        {
            var losses = DatabaseRestore.Differences(sidecar.Census, verification.Census);
            if (losses.Count > 0)
            {
                return new BackupCheckResult(false, "its rows differ from its sidecar: " + string.Join("; ", losses), verification);
            }
        }

        return new BackupCheckResult(true, sidecar switch
        {
            null => $"{verification.Method} ok",
            { Checksum: null } => $"SHA-256 matches, {verification.Method} ok, row and column counts match (a format {sidecar.FormatVersion} sidecar, without a checksum of its own)",
            _ => $"sidecar checksum ok, SHA-256 matches, {verification.Method} ok, row and column counts match",
        }, verification);
    }

    private static string? HashMismatch(string sha256, BackupSidecar sidecar)
        => string.Equals(sha256, sidecar.Sha256, StringComparison.OrdinalIgnoreCase) ? null
            : $"its SHA-256 is {sha256[..12]}…, its sidecar recorded {sidecar.Sha256[..Math.Min(12, sidecar.Sha256.Length)]}…: the file changed after it was taken";

    internal static SqliteException? Unreadable(Exception e)
        => e switch
        {
            SqliteException { SqliteErrorCode: SqliteFacts.SqliteCorrupt or SqliteFacts.SqliteNotADatabase } sqlite => sqlite,
            AggregateException aggregate => aggregate.InnerExceptions.Select(Unreadable).FirstOrDefault(x => x is not null),
            _ => null,
        };
}
