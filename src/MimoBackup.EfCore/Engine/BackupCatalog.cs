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

/// <summary>Reads a backup folder: the restore points, the incomplete backups and the leftovers (SPEC §4).</summary>
internal static partial class BackupCatalog
{
    /// <summary>Every backup and leftover in <paramref name="folder"/>, newest first; an absent folder holds none.</summary>
    public static IReadOnlyList<CatalogEntry> Read(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        // One listing gives every name, size and time; thousands of small sidecars are then read on both cores.
        var files = new DirectoryInfo(folder).EnumerateFiles().ToDictionary(f => f.Name, StringComparer.Ordinal);
        var entries = new List<CatalogEntry>(files.Count / 2 + 1);
        // A .db is judged only when it has a sidecar or a backup's name: in a folder shared with the app (MimoBackupDir
        // set to the database's own folder) the live app.db is not an incomplete backup.
        var databases = files.Values.Where(f => f.Name.EndsWith(".db", StringComparison.Ordinal)
            && (files.ContainsKey(f.Name + BackupSidecar.Suffix) || BackupName().IsMatch(f.Name))).ToArray();
        var described = new CatalogEntry[databases.Length];
        Parallel.For(0, databases.Length, i => described[i] = Describe(databases[i], files.GetValueOrDefault(databases[i].Name + BackupSidecar.Suffix)));
        var failedChecks = FailedChecks(folder);
        entries.AddRange(failedChecks.Count == 0 ? described
            : described.Select(e => e.State == CatalogState.Complete && failedChecks.TryGetValue(e.FileName, out var failed) && failed.At >= e.CreatedUtc
                ? e with { FailedCheck = failed.Detail }
                : e));

        foreach (var file in files.Values)
        {
            if (file.Name.StartsWith('.') && file.Name.EndsWith(BackupWriter.TemporarySuffix, StringComparison.Ordinal))
            {
                entries.Add(new CatalogEntry(file.FullName, CatalogState.Leftover, file.LastWriteTimeUtc, file.Length, null, "temporary copy of a backup that did not finish"));
            }
            else if (file.Name.EndsWith(".db" + BackupSidecar.Suffix, StringComparison.Ordinal) && !files.ContainsKey(file.Name[..^BackupSidecar.Suffix.Length]))
            {
                entries.Add(new CatalogEntry(file.FullName[..^BackupSidecar.Suffix.Length], CatalogState.Incomplete, file.LastWriteTimeUtc, 0, null, "the backup file is missing; only its sidecar is left"));
            }
        }

        entries.Sort((a, b) => b.CreatedUtc.CompareTo(a.CreatedUtc) is var order and not 0 ? order : string.CompareOrdinal(b.Path, a.Path));
        return entries;
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
    /// The backups whose latest re-verification in the folder's audit log failed, by file name, with when and why: a
    /// backup found bad stays bad in the list, the status and the guards until a later verification passes.
    /// </summary>
    internal static Dictionary<string, (DateTimeOffset At, string Detail)> FailedChecks(string folder)
    {
        var latest = new Dictionary<string, (DateTimeOffset At, bool Passed, string Detail)>(StringComparer.Ordinal);
        var log = System.IO.Path.Combine(folder, AuditLog.FileName);
        if (!File.Exists(log))
        {
            return [];
        }

        try
        {
            foreach (var line in File.ReadLines(log))
            {
                // Only verify lines are parsed: the log also holds every backup, prune and report.
                if (!line.Contains("\"event\":\"verify\"", StringComparison.Ordinal) || ParseLine(line) is not { } entry
                    || !DateTimeOffset.TryParse((string?)entry["at"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
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

        return latest.Where(l => !l.Value.Passed).ToDictionary(l => l.Key, l => (l.Value.At, l.Value.Detail), StringComparer.Ordinal);
    }

    private static System.Text.Json.Nodes.JsonObject? ParseLine(string line)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(line) as System.Text.Json.Nodes.JsonObject;
        }
        catch (JsonException)
        {
            return null; // A torn last line after a crash.
        }
    }

    /// <summary>Whether <paramref name="fileName"/> has the shape of a backup's name.</summary>
    internal static bool IsBackupName(string fileName) => BackupName().IsMatch(fileName);

    /// <summary>What <see cref="BackupWriter"/> names a backup: a name, its UTC time, a counter when the second was taken.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^[^/\\]+_[0-9]{8}_[0-9]{6}(_[0-9]+)?\.db$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex BackupName();

    private static CatalogEntry Describe(FileInfo info, FileInfo? sidecarFile)
    {
        var file = info.FullName;
        var sidecarPath = file + BackupSidecar.Suffix;
        if (sidecarFile is null)
        {
            return new CatalogEntry(file, CatalogState.Incomplete, info.LastWriteTimeUtc, info.Length, null, "no sidecar: an unfinished backup, or a file Mimo did not write");
        }

        BackupSidecar sidecar;
        try
        {
            sidecar = BackupSidecar.Load(sidecarPath);
        }
        catch (SidecarChangedException e)
        {
            return new CatalogEntry(file, CatalogState.Incomplete, info.LastWriteTimeUtc, info.Length, null, e.Message);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return new CatalogEntry(file, CatalogState.Incomplete, info.LastWriteTimeUtc, info.Length, null, $"unreadable sidecar {sidecarFile.Name}: " + e.Message);
        }

        if (sidecar.SizeBytes != info.Length)
        {
            return new CatalogEntry(
                file, CatalogState.Incomplete, sidecar.CreatedUtc, info.Length, sidecar,
                string.Create(CultureInfo.InvariantCulture, $"the file has {info.Length} bytes but its sidecar recorded {sidecar.SizeBytes}"));
        }

        return new CatalogEntry(file, CatalogState.Complete, sidecar.CreatedUtc, info.Length, sidecar, null);
    }
}
