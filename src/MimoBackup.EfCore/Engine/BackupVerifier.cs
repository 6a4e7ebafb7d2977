using System.Diagnostics;
using System.Security.Cryptography;

namespace MimoBackup.EfCore.Engine;

/// <summary>The outcome of checking one backup copy.</summary>
internal sealed record Verification(
    string Method,
    bool Passed,
    string Result,
    string Sha256,
    DatabaseCensus Census,
    TimeSpan Duration);

/// <summary>
/// Checks a backup copy: SQLite's integrity check, a census of every table and the SHA-256 of the file.
/// The hash reads the file while the integrity check walks the b-trees, so the two cores work at once.
/// </summary>
internal static class BackupVerifier
{
    public static Verification Verify(string path, MimoVerification mode, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var method = mode == MimoVerification.Quick ? "quick_check" : "integrity_check";
        var activity = "verifying " + BackupWriter.DisplayName(path);

        // The hash and the census stop when the check fails: none of them outlives the call, or reads a file its caller deletes.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var hashing = Task.Run(() =>
        {
            var sha256 = Sha256Of(path, stop.Token, activity);
            // The integrity check usually takes longer than the hash, and SQLite cannot say how far it is.
            WorkProgress.Report(activity + " (integrity check)");
            return sha256;
        }, stop.Token);
        var census = Task.Run(() => CensusOf(path, stop.Token), stop.Token);

        string result;
        try
        {
            result = IntegrityCheck(path, method, cancellationToken);
            Task.WaitAll([hashing, census], cancellationToken);
        }
        catch
        {
            stop.Cancel();
            try
            {
                Task.WaitAll(hashing, census);
            }
            catch (AggregateException)
            {
                // Their failures are the first one's consequence: that one is thrown.
            }

            throw;
        }

        return new Verification(method, result == "ok", result, hashing.Result, census.Result, clock.Elapsed);
    }

    private static string IntegrityCheck(string path, string method, CancellationToken cancellationToken)
    {
        using var connection = SqliteFacts.OpenImmutable(path);
        using var check = connection.CreateCommand();
        check.CommandText = $"PRAGMA {method}(20)";
        using var interrupt = SqliteFacts.InterruptOn(connection, cancellationToken);
        using var reader = check.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join("; ", lines);
    }

    public static string Sha256Of(string path, CancellationToken cancellationToken, string? activity = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.SequentialScan);
        return Sha256Of(stream, cancellationToken, activity);
    }

    /// <summary>The SHA-256 of one object of a backup store, read through the store.</summary>
    public static string Sha256Of(IBackupStore store, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var stream = store.OpenRead(name);
        return Sha256Of(stream, cancellationToken);
    }

    /// <summary>The SHA-256 of what is left in <paramref name="stream"/>; with an activity, reported as progress in bytes.</summary>
    public static string Sha256Of(Stream stream, CancellationToken cancellationToken, string? activity = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        var total = activity is not null && stream.CanSeek ? stream.Length : 0;
        long done = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash.AppendData(buffer, 0, read);
            if (activity is not null)
            {
                WorkProgress.Report(activity, done += read, total);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static DatabaseCensus CensusOf(string path, CancellationToken cancellationToken)
    {
        using var connection = SqliteFacts.OpenImmutable(path);
        return DatabaseCensus.Take(connection, cancellationToken);
    }
}
