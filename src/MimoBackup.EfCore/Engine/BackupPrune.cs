using System.Text.Json.Nodes;

namespace MimoBackup.EfCore.Engine;

/// <summary>A backup or leftover found in a backup folder, with the files that make it up.</summary>
/// <param name="Candidate">What retention decides on.</param>
/// <param name="Files">The names in the store, <c>.db</c> first: deleting in this order never leaves a backup that looks complete but is not.</param>
/// <param name="Unreadable">The sidecar exists but cannot be read; such a backup is always kept.</param>
internal sealed record PruneItem(RetentionCandidate Candidate, IReadOnlyList<string> Files, bool Unreadable = false);

/// <summary>What a prune decided and did; in a dry run nothing was deleted.</summary>
internal sealed record PruneResult(string Folder, bool DryRun, IReadOnlyList<RetentionDecision> Decisions, IReadOnlyList<MimoBackupException> Warnings)
{
    /// <summary>The decisions to delete whose files are gone (in a dry run: would be gone).</summary>
    public IEnumerable<RetentionDecision> Deleted => Decisions.Where(d => !d.Keep && !Failed.Contains(d.Name) && !Protected.Contains(d.Name));

    public IEnumerable<RetentionDecision> Kept => Decisions.Where(d => d.Keep);

    /// <summary>Names of the backups and leftovers that were to be deleted but could not be.</summary>
    public IReadOnlySet<string> Failed { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Names of the backups to be deleted that the service keeps on purpose (object lock, immutability policy): kept
    /// and reported, not a failure.
    /// </summary>
    public IReadOnlySet<string> Protected { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>
/// Applies a <see cref="RetentionPolicy"/> to what <see cref="BackupCatalog"/> finds in one backup store (the backup
/// folder or its mirror), reading only the sidecars, and records the run in the store's audit log.
/// </summary>
internal static class BackupPrune
{
    public const string SidecarUnreadable = "kept: sidecar unreadable";

    public const string DatedBeforeAnEarlierBackup = "kept: clock went backwards (dated before a backup taken earlier)";

    /// <summary>
    /// Backups whose date cannot be trusted: audit.jsonl lists backups in the order they were really taken, so one
    /// dated before a backup listed ahead of it was taken while the clock was behind. Its age would be overstated,
    /// so it is never deleted for age (a clock that jumped backwards must never cause a deletion).
    /// </summary>
    private static HashSet<string> DatedBeforeEarlierBackups(AuditFacts audit, IEnumerable<RetentionCandidate> candidates)
    {
        var created = candidates.Where(c => c.Complete).ToDictionary(c => c.Name, c => c.CreatedUtc, StringComparer.Ordinal);
        var suspect = new HashSet<string>(StringComparer.Ordinal);
        var latest = DateTimeOffset.MinValue;
        foreach (var name in audit.BackupsTaken)
        {
            if (!created.TryGetValue(name, out var at))
            {
                continue;
            }

            if (at + RetentionPolicy.ClockTolerance < latest)
            {
                suspect.Add(name);
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
        => Run(new LocalFolderStore(folder), policy, now, dryRun, cancellationToken);

    /// <inheritdoc cref="Run(string, RetentionPolicy, DateTimeOffset, bool, CancellationToken)"/>
    public static PruneResult Run(IBackupStore store, RetentionPolicy policy, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(policy);
        var found = BackupCatalog.Scan(store, wholeSidecars: false, cancellationToken);
        var audit = found.Count == 0 ? AuditFacts.None : BackupCatalog.ReadAudit(store);
        var items = Candidates(found, audit);
        var decisions = Decide(items, audit, policy, now);
        if (dryRun || items.Count == 0)
        {
            return new PruneResult(store.Location, dryRun, decisions, []);
        }

        // Past this point the run finishes: a cancelled prune must still leave its audit line.
        cancellationToken.ThrowIfCancellationRequested();
        var files = items.ToDictionary(i => i.Candidate.Name, i => i.Files, StringComparer.Ordinal);
        var warnings = new List<MimoBackupException>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var decision in decisions.Where(d => !d.Keep))
        {
            foreach (var file in files[decision.Name])
            {
                try
                {
                    store.Delete(file);
                }
                catch (StoredObjectDeleteRefusedException)
                {
                    kept.Add(decision.Name);
                    break;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    warnings.Add(new MimoBackupException(MimoError.PruneDeleteFailed, e, store.Locate(file), e.Message.TrimEnd('.')));
                    failed.Add(decision.Name);
                    break; // What is left is the whole backup, or its sidecar alone: never a .db that looks complete.
                }
            }
        }

        if (decisions.Any(d => !d.Keep))
        {
            store.Sync();
        }

        var result = new PruneResult(store.Location, dryRun, decisions, warnings) { Failed = failed, Protected = kept };
        try
        {
            new AuditLog(store).Append("prune", AuditDetails(result, policy), now);
        }
        catch (MimoBackupException e)
        {
            warnings.Add(e);
        }

        return result;
    }

    /// <summary>Scans and decides without touching anything: what <c>--list</c> shows as retention status.</summary>
    public static IReadOnlyList<RetentionDecision> Preview(string folder, RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken = default)
        => Preview(new LocalFolderStore(folder), policy, now, cancellationToken);

    /// <inheritdoc cref="Preview(string, RetentionPolicy, DateTimeOffset, CancellationToken)"/>
    public static IReadOnlyList<RetentionDecision> Preview(IBackupStore store, RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var found = BackupCatalog.Scan(store, wholeSidecars: false, cancellationToken);
        return Preview(found, found.Count == 0 ? AuditFacts.None : BackupCatalog.ReadAudit(store), policy, now);
    }

    /// <summary>The decisions on a scan someone already made (the list shows them beside its own entries).</summary>
    public static IReadOnlyList<RetentionDecision> Preview(IReadOnlyList<CatalogItem> found, AuditFacts audit, RetentionPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Decide(Candidates(found, audit), audit, policy, now);
    }

    /// <summary>
    /// What retention decides on, oldest first: every backup (a <c>.db</c> with its sidecar) and every leftover (a
    /// temporary file, a sidecar without its <c>.db</c>) the catalog finds. A <c>.db</c> without a sidecar is left
    /// alone: it may be a backup someone made by hand, and Mimo cannot tell.
    /// </summary>
    public static IReadOnlyList<PruneItem> Scan(IBackupStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var found = BackupCatalog.Scan(store, wholeSidecars: false, cancellationToken);
        return Candidates(found, found.Count == 0 ? AuditFacts.None : BackupCatalog.ReadAudit(store));
    }

    private static List<PruneItem> Candidates(IReadOnlyList<CatalogItem> found, AuditFacts audit)
    {
        // A backup whose latest re-verification failed never stands as the newest verified one retention keeps.
        var failedChecks = audit.FailedChecks;
        var items = new List<PruneItem>(found.Count);
        foreach (var item in found)
        {
            var name = item.Object.Name;
            switch (item.Finding)
            {
                case CatalogFinding.Backup:
                    // The .db goes first: interrupted in between, only a sidecar is left, which promises nothing restorable
                    // and the next prune removes. A kept damaged database's WAL copy goes with it.
                    List<string> parts = [name, item.Sidecar!.Value.Name];
                    if (item.Wal is { } wal)
                    {
                        parts.Insert(1, wal.Name);
                    }

                    items.Add(new PruneItem(
                        item.Summary is { } s
                            ? new RetentionCandidate(name, s.CreatedUtc, s.Pinned, s.Passed && s.SizeBytes == item.Object.Length && BackupCatalog.FailedSince(failedChecks, name, s.CreatedUtc) is null, s.AppVersion, Complete: true, s.Source)
                            : new RetentionCandidate(name, item.Time, Pinned: false, Verified: false, AppVersion: null, Complete: true),
                        parts,
                        Unreadable: item.Summary is null));
                    break;
                case CatalogFinding.OrphanSidecar or CatalogFinding.Temporary:
                    items.Add(new PruneItem(new RetentionCandidate(name, item.Time, Pinned: false, Verified: false, AppVersion: null, Complete: false), [name]));
                    break;
            }
        }

        items.Sort((a, b) => a.Candidate.CreatedUtc != b.Candidate.CreatedUtc
            ? a.Candidate.CreatedUtc.CompareTo(b.Candidate.CreatedUtc)
            : string.CompareOrdinal(a.Candidate.Name, b.Candidate.Name));
        return items;
    }

    private static List<RetentionDecision> Decide(IReadOnlyList<PruneItem> items, AuditFacts audit, RetentionPolicy policy, DateTimeOffset now)
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
        var suspect = DatedBeforeEarlierBackups(audit, readable);
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

        if (result.Protected.Count > 0)
        {
            details["keptByService"] = new JsonArray([.. result.Protected.Order(StringComparer.Ordinal).Select(n => (JsonNode)JsonValue.Create(n))]);
        }

        return details;
    }
}
