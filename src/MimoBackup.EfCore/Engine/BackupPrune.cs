using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Engine;

/// <summary>A backup or leftover found in a backup folder, with the files that make it up.</summary>
/// <param name="Candidate">What retention decides on.</param>
/// <param name="Files">Sidecar first: deleting in this order never leaves a backup that looks complete but is not.</param>
/// <param name="Unreadable">The sidecar exists but cannot be read; such a backup is always kept.</param>
internal sealed record PruneItem(RetentionCandidate Candidate, IReadOnlyList<string> Files, bool Unreadable = false);

/// <summary>What a prune decided and did; in a dry run nothing was deleted.</summary>
internal sealed record PruneResult(string Folder, bool DryRun, IReadOnlyList<RetentionDecision> Decisions, IReadOnlyList<MimoBackupException> Warnings)
{
    /// <summary>The decisions to delete whose files are gone (in a dry run: would be gone).</summary>
    public IEnumerable<RetentionDecision> Deleted => Decisions.Where(d => !d.Keep && !Failed.Contains(d.Name));

    public IEnumerable<RetentionDecision> Kept => Decisions.Where(d => d.Keep);

    /// <summary>Names of the backups and leftovers that were to be deleted but could not be.</summary>
    public IReadOnlySet<string> Failed { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>
/// Applies a <see cref="RetentionPolicy"/> to the files of one backup folder (the backup folder or its mirror),
/// reading only the sidecars, and records the run in the folder's audit log.
/// </summary>
internal static partial class BackupPrune
{
    public const string SidecarUnreadable = "kept: sidecar unreadable";

    public const string DatedBeforeAnEarlierBackup = "kept: clock went backwards (dated before a backup taken earlier)";

    /// <summary>
    /// Backups whose date cannot be trusted: audit.jsonl lists backups in the order they were really taken, so one
    /// dated before a backup listed ahead of it was taken while the clock was behind. Its age would be overstated,
    /// so it is never deleted for age (a clock that jumped backwards must never cause a deletion).
    /// </summary>
    public static IReadOnlySet<string> DatedBeforeEarlierBackups(string folder, IEnumerable<RetentionCandidate> candidates)
    {
        var created = candidates.Where(c => c.Complete).ToDictionary(c => c.Name, c => c.CreatedUtc, StringComparer.Ordinal);
        var suspect = new HashSet<string>(StringComparer.Ordinal);
        var latest = DateTimeOffset.MinValue;
        foreach (var line in new AuditLog(folder).Read())
        {
            if ((string?)line["event"] != "backup" || line["backup"] is not { } path
                || !created.TryGetValue(Path.GetFileName((string)path!), out var at))
            {
                continue;
            }

            if (at + RetentionPolicy.ClockTolerance < latest)
            {
                suspect.Add(Path.GetFileName((string)path!));
            }

            latest = at > latest ? at : latest;
        }

        return suspect;
    }

    /// <summary>
    /// Decides, deletes what the policy lets go (unless <paramref name="dryRun"/>) and appends one "prune" line to the
    /// folder's audit log. A backup's <c>.db</c> is deleted before its sidecar: interrupted in between, what is left is
    /// a sidecar without its <c>.db</c>, which nothing offers as a restore point and the next prune removes as a leftover.
    /// Failures to delete or to write the audit log are warnings (MIMO403, MIMO107): pruning is never fatal.
    /// </summary>
    public static PruneResult Run(string folder, RetentionPolicy policy, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        folder = Path.GetFullPath(folder);
        var items = Scan(folder, cancellationToken);
        var decisions = Decide(folder, items, policy, now);
        if (dryRun || items.Count == 0)
        {
            return new PruneResult(folder, dryRun, decisions, []);
        }

        // Past this point the run finishes: a cancelled prune must still leave its audit line.
        cancellationToken.ThrowIfCancellationRequested();
        var files = items.ToDictionary(i => i.Candidate.Name, i => i.Files, StringComparer.Ordinal);
        var warnings = new List<MimoBackupException>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var decision in decisions.Where(d => !d.Keep))
        {
            foreach (var file in files[decision.Name])
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    warnings.Add(new MimoBackupException(MimoError.PruneDeleteFailed, e, file, e.Message.TrimEnd('.')));
                    failed.Add(decision.Name);
                    break; // What is left is the whole backup, or its sidecar alone: never a .db that looks complete.
                }
            }
        }

        if (decisions.Any(d => !d.Keep))
        {
            FileDurability.FlushDirectory(folder);
        }

        var result = new PruneResult(folder, dryRun, decisions, warnings) { Failed = failed };
        try
        {
            new AuditLog(folder).Append("prune", AuditDetails(result, policy), now);
        }
        catch (MimoBackupException e)
        {
            warnings.Add(e);
        }

        return result;
    }

    /// <summary>Scans and decides without touching anything: what <c>--list</c> shows as retention status.</summary>
    public static IReadOnlyList<RetentionDecision> Preview(string folder, RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        folder = Path.GetFullPath(folder);
        return Decide(folder, Scan(folder, cancellationToken), policy, now);
    }

    /// <summary>
    /// Every backup (a <c>.db</c> with its sidecar) and every leftover of an interrupted write in the folder, oldest
    /// first. Files that follow none of the backup names (the audit log, the app's own database) are not listed.
    /// </summary>
    public static IReadOnlyList<PruneItem> Scan(string folder, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var files = new Dictionary<string, FileInfo>(StringComparer.Ordinal);
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
        {
            files[file.Name] = file;
        }

        var sidecars = files.Values.Where(f => f.Name.EndsWith(".db" + BackupSidecar.Suffix, StringComparison.Ordinal)).ToArray();
        var summaries = new SidecarSummary?[sidecars.Length];
        Parallel.For(
            0,
            sidecars.Length,
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => summaries[i] = SidecarSummary.TryRead(sidecars[i].FullName, sidecars[i].Length));

        // A backup whose latest re-verification failed never stands as the newest verified one retention keeps.
        var failedChecks = BackupCatalog.FailedChecks(folder);
        var items = new List<PruneItem>(files.Count);
        for (var i = 0; i < sidecars.Length; i++)
        {
            var sidecar = sidecars[i];
            var name = sidecar.Name[..^BackupSidecar.Suffix.Length];
            if (!files.TryGetValue(name, out var backup))
            {
                // An interrupted prune (it deletes the .db first) or a hand-made deletion: the sidecar alone holds no data.
                items.Add(Leftover(sidecar));
                continue;
            }

            var summary = summaries[i];

            // The .db goes first: interrupted in between, only a sidecar is left, which promises nothing restorable
            // and the next prune removes. A kept damaged database's WAL copy goes with it.
            List<string> parts = [backup.FullName, sidecar.FullName];
            if (files.TryGetValue(name + "-wal", out var wal))
            {
                parts.Insert(1, wal.FullName);
            }

            items.Add(new PruneItem(
                summary is { } s
                    ? new RetentionCandidate(name, s.CreatedUtc, s.Pinned, s.Passed && s.SizeBytes == backup.Length && !FailedSince(failedChecks, name, s.CreatedUtc), s.AppVersion, Complete: true, s.Source)
                    : new RetentionCandidate(name, FileTime(backup), Pinned: false, Verified: false, AppVersion: null, Complete: true),
                parts,
                Unreadable: summary is null));
        }

        foreach (var file in files.Values)
        {
            // A .db without a sidecar is left alone: it may be a backup someone made by hand (sqlite3 .backup, cp) in
            // this folder or on a shared mirror, and Mimo cannot tell; only Mimo's own temporary files are leftovers.
            if (file.Name.Contains(BackupWriter.TemporarySuffix, StringComparison.Ordinal) && TemporaryName().IsMatch(file.Name))
            {
                items.Add(Leftover(file));
            }
        }

        items.Sort((a, b) => a.Candidate.CreatedUtc != b.Candidate.CreatedUtc
            ? a.Candidate.CreatedUtc.CompareTo(b.Candidate.CreatedUtc)
            : string.CompareOrdinal(a.Candidate.Name, b.Candidate.Name));
        return items;
    }

    private static bool FailedSince(Dictionary<string, (DateTimeOffset At, string Detail)> failedChecks, string name, DateTimeOffset createdUtc)
        => failedChecks.TryGetValue(name, out var failed) && failed.At >= createdUtc;

    private static PruneItem Leftover(FileInfo file)
        => new(new RetentionCandidate(file.Name, FileTime(file), Pinned: false, Verified: false, AppVersion: null, Complete: false), [file.FullName]);

    /// <summary>
    /// The later of the file's time and the time in its name: a leftover counts as young if either says so, and a
    /// future date in either stops the prune.
    /// </summary>
    private static DateTimeOffset FileTime(FileInfo file)
    {
        var written = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        var stamp = Stamp().Match(file.Name);
        return stamp.Success
            && DateTime.TryParseExact(stamp.Groups[1].Value, "yyyyMMdd_HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var named)
            && named > file.LastWriteTimeUtc
            ? new DateTimeOffset(named, TimeSpan.Zero)
            : written;
    }

    private static List<RetentionDecision> Decide(string folder, IReadOnlyList<PruneItem> items, RetentionPolicy policy, DateTimeOffset now)
    {
        // An unreadable sidecar may be a damaged record of a good backup: never a reason to delete it.
        var readable = items.Where(i => !i.Unreadable).Select(i => i.Candidate).ToList();

        // Each database's backups are judged among themselves: in a folder (or a mirror share) that several
        // databases use, one database's newest or monthly backup must not stand in for another's. A clock that
        // went backwards still stops every deletion in the folder.
        var decided = (readable.Any(c => c.CreatedUtc > now + RetentionPolicy.ClockTolerance)
                ? policy.Decide(readable, now)
                : readable.GroupBy(c => c.Source ?? "", StringComparer.Ordinal).SelectMany(group => policy.Decide([.. group], now)))
            .ToDictionary(d => d.Name, StringComparer.Ordinal);
        var suspect = DatedBeforeEarlierBackups(folder, readable);
        return [.. items.Select(i => i.Unreadable ? new RetentionDecision(i.Candidate, true, SidecarUnreadable)
            : suspect.Contains(i.Candidate.Name) && !decided[i.Candidate.Name].Keep ? new RetentionDecision(i.Candidate, true, DatedBeforeAnEarlierBackup)
            : decided[i.Candidate.Name])];
    }

    private static JsonObject AuditDetails(PruneResult result, RetentionPolicy policy)
    {
        static JsonArray List(IEnumerable<RetentionDecision> decisions)
            => [.. decisions.Select(d => (JsonNode)new JsonObject { ["name"] = d.Name, ["reason"] = d.Reason })];

        var details = new JsonObject
        {
            ["folder"] = result.Folder,
            ["policy"] = new JsonObject { ["days"] = policy.Days, ["months"] = policy.Months },
            ["deleted"] = List(result.Deleted),
            ["kept"] = List(result.Kept),
        };
        if (result.Warnings.Count > 0)
        {
            details["failed"] = new JsonArray([.. result.Warnings.Select(w => (JsonNode)JsonValue.Create(w.Message))]);
        }

        return details;
    }

    /// <summary>
    /// The temporary names of an interrupted write: <c>.&lt;stem&gt;.&lt;8 hex&gt;.tmp</c> (and SQLite's journal
    /// beside it) for a backup, <c>&lt;backup&gt;.meta.json.&lt;8 hex&gt;.tmp</c> for a sidecar.
    /// </summary>
    [GeneratedRegex(@"^(\..+\.[0-9a-f]{8}\.tmp(-journal|-wal|-shm)?|.+\.db\.meta\.json\.[0-9a-f]{8}\.tmp)$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();

    [GeneratedRegex(@"_(\d{8}_\d{6})(?:_\d+)?\.", RegexOptions.CultureInvariant)]
    private static partial Regex Stamp();
}

/// <summary>The few sidecar fields retention needs, read without building the whole sidecar.</summary>
internal readonly record struct SidecarSummary(DateTimeOffset CreatedUtc, bool Pinned, bool Passed, long SizeBytes, string? AppVersion, string? Source = null)
{
    /// <summary>Null when the file cannot be read or lacks the creation time.</summary>
    public static SidecarSummary? TryRead(string path, long length)
    {
        if (length is <= 0 or > 64 * 1024 * 1024)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            int read;
            using (var handle = File.OpenHandle(path))
            {
                read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)length), 0);
            }

            var summary = Parse(buffer.AsSpan(0, read));

            // An edited sidecar's "passed" is not believed: it never counts as the newest verified backup.
            return summary is { } s && BackupSidecar.ChecksumMatches(buffer.AsSpan(0, read)) == false ? s with { Passed = false } : summary;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static SidecarSummary? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        DateTimeOffset? created = null;
        bool pinned = false, passed = false;
        long size = -1;
        string? appVersion = null, source = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("createdUtc"u8))
            {
                reader.Read();
                created = reader.GetDateTimeOffset();
            }
            else if (reader.ValueTextEquals("pinned"u8))
            {
                reader.Read();
                pinned = reader.GetBoolean();
            }
            else if (reader.ValueTextEquals("sizeBytes"u8))
            {
                reader.Read();
                size = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("verification"u8))
            {
                passed = ReadMember(ref reader, "passed"u8).TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("origin"u8))
            {
                var version = ReadMember(ref reader, "appVersion"u8);
                appVersion = version.TokenType == JsonTokenType.String ? version.Text : null;
            }
            else if (reader.ValueTextEquals("source"u8))
            {
                var path = ReadMember(ref reader, "path"u8);
                source = path.TokenType == JsonTokenType.String ? path.Text : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return created is { } at && reader.TokenType == JsonTokenType.EndObject
            ? new SidecarSummary(at, pinned, passed, size, appVersion, source)
            : null;
    }

    /// <summary>Reads the object that follows the current property and returns one primitive member of it.</summary>
    private static (JsonTokenType TokenType, string? Text) ReadMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (JsonTokenType.None, null);
        }

        (JsonTokenType, string?) found = (JsonTokenType.None, null);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                found = (reader.TokenType, reader.TokenType == JsonTokenType.String ? reader.GetString() : null);
            }

            reader.Skip();
        }

        return found;
    }
}
