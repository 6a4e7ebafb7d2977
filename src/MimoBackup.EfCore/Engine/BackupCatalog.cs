using System.Globalization;
using System.Text.Json;

namespace MimoBackup.EfCore.Engine;

/// <summary>What a file in the backup folder is.</summary>
internal enum CatalogState
{
    /// <summary>A <c>.db</c> with a readable sidecar of the same size: a restore point.</summary>
    Complete,

    /// <summary>A <c>.db</c> without a usable sidecar, or a sidecar without its <c>.db</c>: never a restore point.</summary>
    Incomplete,

    /// <summary>A temporary copy left by a backup that did not finish.</summary>
    Leftover,
}

/// <summary>One backup (or leftover) in a backup folder.</summary>
internal sealed record CatalogEntry(string Path, CatalogState State, DateTimeOffset CreatedUtc, long SizeBytes, BackupSidecar? Sidecar, string? Problem)
{
    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>Why its latest re-verification (<c>MimoBackupVerify</c>, in the audit log) failed; null when it passed or never ran.</summary>
    public string? FailedCheck { get; init; }

    public string Kind => Sidecar?.Kind ?? (State == CatalogState.Leftover ? "leftover" : "incomplete");

    public bool Verified => State == CatalogState.Complete && Sidecar!.Verification.Passed && FailedCheck is null;

    public bool Pinned => Sidecar?.Pinned ?? false;

    /// <summary>The last migration applied to the database when the backup was taken.</summary>
    public string? LastMigration => Sidecar?.Migrations?.Applied is { Count: > 0 } applied ? applied[^1] : null;
}

/// <summary>
/// What the catalog finds an object in a backup store to be: the one set of rules for leftovers that list, status,
/// verify, prune and the fresh-backup lookup all apply. Files that follow none of the backup names (the audit log,
/// the app's own database, notes) are not findings.
/// </summary>
internal enum CatalogFinding
{
    /// <summary>A <c>.db</c> with its sidecar; whether it is a restore point is up to the sidecar.</summary>
    Backup,

    /// <summary>
    /// A <c>.db</c> with a backup's name but no sidecar: listed as incomplete, never deleted; it may be a backup someone
    /// made by hand (sqlite3 .backup, cp) in this folder or on a shared mirror, and Mimo cannot tell.
    /// </summary>
    NoSidecar,

    /// <summary>A sidecar whose <c>.db</c> is gone (an interrupted prune deletes the <c>.db</c> first): a leftover.</summary>
    OrphanSidecar,

    /// <summary>One of Mimo's own temporary files of a write that did not finish: a leftover.</summary>
    Temporary,
}

/// <summary>One finding of a scan, before any reader judges it: its object and, for a backup, its sidecar as read.</summary>
/// <param name="Finding">What it is.</param>
/// <param name="Object">The <c>.db</c>, the orphan sidecar or the temporary file.</param>
internal sealed record CatalogItem(CatalogFinding Finding, StoredObject Object)
{
    public StoredObject? Sidecar { get; init; }

    /// <summary>A kept damaged database's WAL copy, which goes with its backup.</summary>
    public StoredObject? Wal { get; init; }

    /// <summary>The few fields retention reads; null when the sidecar is unreadable.</summary>
    public SidecarSummary? Summary { get; init; }

    /// <summary>The whole sidecar, when the scan was asked for it and it is believed; else why not, in <see cref="Problem"/>.</summary>
    public BackupSidecar? Loaded { get; init; }

    public string? Problem { get; init; }

    /// <summary>
    /// The later of the object's time and the time in its name: a leftover counts as young if either says so, and a
    /// future date in either stops the prune.
    /// </summary>
    public DateTimeOffset Time => BackupCatalog.TimeOf(Object);
}

/// <summary>What the audit log says about a store's backups (see <see cref="BackupCatalog.ReadAudit"/>).</summary>
internal sealed record AuditFacts(Dictionary<string, (DateTimeOffset At, string Detail)> FailedChecks, IReadOnlyList<string> BackupsTaken)
{
    public static AuditFacts None { get; } = new([], []);
}

/// <summary>
/// Reads a backup store (the backup folder, its mirror): the restore points, the incomplete backups and the leftovers
/// (SPEC §4). One listing and one parallel read of the sidecars serve every reader.
/// </summary>
internal static partial class BackupCatalog
{
    /// <summary>Every backup and leftover in <paramref name="folder"/>, newest first; an absent folder holds none.</summary>
    public static IReadOnlyList<CatalogEntry> Read(string folder) => Read(new LocalFolderStore(folder));

    /// <summary>Every backup and leftover in <paramref name="store"/>, newest first.</summary>
    public static IReadOnlyList<CatalogEntry> Read(IBackupStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var items = Scan(store, wholeSidecars: true, cancellationToken);
        return Entries(store, items, items.Count == 0 ? AuditFacts.None : ReadAudit(store));
    }

    /// <summary>The entries of a scan made with whole sidecars, newest first.</summary>
    internal static IReadOnlyList<CatalogEntry> Entries(IBackupStore store, IReadOnlyList<CatalogItem> items, AuditFacts audit)
    {
        var entries = new List<CatalogEntry>(items.Count);
        foreach (var item in items)
        {
            var path = store.Locate(item.Object.Name);
            var written = item.Object.LastWriteUtc;
            entries.Add(item.Finding switch
            {
                CatalogFinding.Backup => Describe(item, path, audit.FailedChecks),
                CatalogFinding.NoSidecar => new CatalogEntry(path, CatalogState.Incomplete, written, item.Object.Length, null, "no sidecar: an unfinished backup, or a file Mimo did not write"),
                CatalogFinding.OrphanSidecar => new CatalogEntry(path[..^BackupSidecar.Suffix.Length], CatalogState.Incomplete, written, 0, null, "the backup file is missing; only its sidecar is left"),
                _ => new CatalogEntry(path, CatalogState.Leftover, written, item.Object.Length, null, "temporary copy of a backup that did not finish"),
            });
        }

        entries.Sort((a, b) => b.CreatedUtc.CompareTo(a.CreatedUtc) is var order and not 0 ? order : string.CompareOrdinal(b.Path, a.Path));
        return entries;
    }

    /// <summary>
    /// Every finding in <paramref name="store"/>, in no particular order: one listing, then the sidecars read on every
    /// core. With <paramref name="wholeSidecars"/> each sidecar is also deserialised and its checksum judged (list,
    /// verify, the guards); without, only the few fields retention needs are parsed (prune on thousands of backups).
    /// </summary>
    internal static IReadOnlyList<CatalogItem> Scan(IBackupStore store, bool wholeSidecars, CancellationToken cancellationToken = default)
    {
        var objects = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        foreach (var o in store.List())
        {
            objects[o.Name] = o;
        }

        var items = new List<CatalogItem>();
        var backups = new List<(StoredObject Database, StoredObject Sidecar, StoredObject? Wal)>();
        foreach (var o in objects.Values)
        {
            if (o.Name.EndsWith(".db", StringComparison.Ordinal))
            {
                // A .db is a finding only with a sidecar or a backup's name: in a folder shared with the app
                // (MimoBackupDir set to the database's own folder) the live app.db is nothing of ours.
                if (objects.TryGetValue(o.Name + BackupSidecar.Suffix, out var sidecar))
                {
                    backups.Add((o, sidecar, objects.TryGetValue(o.Name + "-wal", out var wal) ? wal : null));
                }
                else if (BackupName().IsMatch(o.Name))
                {
                    items.Add(new CatalogItem(CatalogFinding.NoSidecar, o));
                }
            }
            else if (o.Name.EndsWith(".db" + BackupSidecar.Suffix, StringComparison.Ordinal))
            {
                if (!objects.ContainsKey(o.Name[..^BackupSidecar.Suffix.Length]))
                {
                    items.Add(new CatalogItem(CatalogFinding.OrphanSidecar, o));
                }
            }
            else if (IsTemporaryName(o.Name))
            {
                items.Add(new CatalogItem(CatalogFinding.Temporary, o));
            }
        }

        var read = new CatalogItem[backups.Count];
        Parallel.For(
            0,
            backups.Count,
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => read[i] = ReadSidecar(store, backups[i].Database, backups[i].Sidecar, backups[i].Wal, wholeSidecars));
        items.AddRange(read);
        return items;
    }

    private static CatalogItem ReadSidecar(IBackupStore store, StoredObject database, StoredObject sidecar, StoredObject? wal, bool whole)
    {
        var item = new CatalogItem(CatalogFinding.Backup, database) { Sidecar = sidecar, Wal = wal };
        var summarised = sidecar.Length is > 0 and <= SidecarSummary.MaxLength;
        if (!summarised && !whole)
        {
            return item;
        }

        byte[] bytes;
        try
        {
            bytes = store.ReadSidecar(database.Name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return item with { Problem = $"unreadable sidecar {sidecar.Name}: " + e.Message };
        }

        var matches = BackupSidecar.ChecksumMatches(bytes);
        item = item with { Summary = summarised ? SidecarSummary.TryParse(bytes.AsSpan(0, (int)Math.Min(bytes.Length, sidecar.Length)), matches) : null };
        if (!whole)
        {
            return item;
        }

        try
        {
            return item with { Loaded = BackupSidecar.Parse(bytes, store.Locate(sidecar.Name), matches) };
        }
        catch (SidecarChangedException e)
        {
            return item with { Problem = e.Message };
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return item with { Problem = $"unreadable sidecar {sidecar.Name}: " + e.Message };
        }
    }

    private static CatalogEntry Describe(CatalogItem item, string path, Dictionary<string, (DateTimeOffset At, string Detail)> failedChecks)
    {
        var length = item.Object.Length;
        if (item.Loaded is not { } sidecar)
        {
            return new CatalogEntry(path, CatalogState.Incomplete, item.Object.LastWriteUtc, length, null, item.Problem);
        }

        if (sidecar.SizeBytes != length)
        {
            return new CatalogEntry(
                path, CatalogState.Incomplete, sidecar.CreatedUtc, length, sidecar,
                string.Create(CultureInfo.InvariantCulture, $"the file has {length} bytes but its sidecar recorded {sidecar.SizeBytes}"));
        }

        return new CatalogEntry(path, CatalogState.Complete, sidecar.CreatedUtc, length, sidecar, null)
        {
            FailedCheck = FailedSince(failedChecks, item.Object.Name, sidecar.CreatedUtc),
        };
    }

    /// <summary>Why <paramref name="name"/>'s latest re-verification failed, when it failed after the backup was taken.</summary>
    internal static string? FailedSince(Dictionary<string, (DateTimeOffset At, string Detail)> failedChecks, string name, DateTimeOffset createdUtc)
        => failedChecks.TryGetValue(name, out var failed) && failed.At >= createdUtc ? failed.Detail : null;

    /// <summary>The later of the object's time and the time in its name (see <see cref="CatalogItem.Time"/>).</summary>
    internal static DateTimeOffset TimeOf(StoredObject o)
    {
        var stamp = Stamp().Match(o.Name);
        return stamp.Success
            && DateTime.TryParseExact(stamp.Groups[1].Value, "yyyyMMdd_HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var named)
            && named > o.LastWriteUtc.UtcDateTime
            ? new DateTimeOffset(named, TimeSpan.Zero)
            : o.LastWriteUtc;
    }

    /// <summary>
    /// The complete backup a user means by <paramref name="nameOrFile"/>: its file name (with or without
    /// <c>.db</c>), or else the newest complete backup of that name.
    /// </summary>
    public static CatalogEntry? Find(IReadOnlyList<CatalogEntry> catalog, string nameOrFile)
    {
        var file = nameOrFile.EndsWith(".db", StringComparison.Ordinal) ? nameOrFile : nameOrFile + ".db";
        return catalog.FirstOrDefault(e => e.State == CatalogState.Complete && e.FileName == file)
            ?? catalog.FirstOrDefault(e => e.State == CatalogState.Complete && e.Sidecar!.Name == nameOrFile);
    }

    /// <summary>The newest verified restore point, if any.</summary>
    public static CatalogEntry? NewestVerified(IReadOnlyList<CatalogEntry> catalog)
        => catalog.FirstOrDefault(e => e.Verified);

    /// <summary>
    /// What the catalog's readers need from the store's audit log, in one pass that parses only backup and verify lines
    /// (the log also holds every prune and report): the backups whose latest re-verification failed, by file name, with
    /// when and why (a backup found bad stays bad in the list, the status, the guards and retention until a later
    /// verification passes), and the backups' file names in the order they were taken.
    /// </summary>
    internal static AuditFacts ReadAudit(IBackupStore store)
    {
        var latest = new Dictionary<string, (DateTimeOffset At, bool Passed, string Detail)>(StringComparer.Ordinal);
        var taken = new List<string>();
        try
        {
            foreach (var line in store.ReadAuditLines())
            {
                var isBackup = line.Contains("\"event\":\"backup\"", StringComparison.Ordinal);
                if (!isBackup && !line.Contains("\"event\":\"verify\"", StringComparison.Ordinal) || AuditLog.ParseLine(line) is not { } entry)
                {
                    continue;
                }

                if (isBackup)
                {
                    if ((string?)entry["event"] == "backup" && entry["backup"]?.GetValueKind() == JsonValueKind.String)
                    {
                        taken.Add(System.IO.Path.GetFileName((string)entry["backup"]!));
                    }

                    continue;
                }

                // A check of another store's copies (the remote's) says nothing of this store's files of the same name.
                if ((string?)entry["store"] is { } checkedStore && checkedStore != store.Location)
                {
                    continue;
                }

                if (!DateTimeOffset.TryParse((string?)entry["at"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    || entry["results"] is not System.Text.Json.Nodes.JsonArray results)
                {
                    continue;
                }

                foreach (var result in results.OfType<System.Text.Json.Nodes.JsonObject>())
                {
                    if ((string?)result["backup"] is { } backup && result["passed"]?.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                    {
                        latest[System.IO.Path.GetFileName(backup)] = (at, (bool)result["passed"]!, (string?)result["detail"] ?? "failed");
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable log hides no backup; the sidecars still say what each one is.
        }

        return new AuditFacts(latest.Where(l => !l.Value.Passed).ToDictionary(l => l.Key, l => (l.Value.At, l.Value.Detail), StringComparer.Ordinal), taken);
    }

    /// <summary>Whether <paramref name="fileName"/> has the shape of a backup's name.</summary>
    internal static bool IsBackupName(string fileName) => BackupName().IsMatch(fileName);

    /// <summary>What <see cref="BackupWriter"/> names a backup: a name, its UTC time, a counter when the second was taken.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^[^/\\]+_[0-9]{8}_[0-9]{6}(_[0-9]+)?\.db$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex BackupName();

    /// <summary>
    /// Whether <paramref name="name"/> is one of Mimo's temporary names of an interrupted write: <c>.&lt;stem&gt;.&lt;8
    /// hex&gt;.tmp</c> (and SQLite's journal beside it) for a backup, <c>&lt;backup&gt;.meta.json.&lt;8 hex&gt;.tmp</c>
    /// for a sidecar. Any other <c>.tmp</c> is not ours.
    /// </summary>
    internal static bool IsTemporaryName(string name)
        => name.Contains(BackupWriter.TemporarySuffix, StringComparison.Ordinal) && TemporaryName().IsMatch(name);

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\..+\.[0-9a-f]{8}\.tmp(-journal|-wal|-shm)?|.+\.db\.meta\.json\.[0-9a-f]{8}\.tmp)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TemporaryName();

    [System.Text.RegularExpressions.GeneratedRegex(@"_(\d{8}_\d{6})(?:_\d+)?\.", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Stamp();
}
