using System.Globalization;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// One file or backup that retention decides on. <paramref name="Complete"/> is false for a leftover: a temporary
/// file of an interrupted write, or a sidecar whose <c>.db</c> is gone.
/// For a leftover, <paramref name="CreatedUtc"/> is the newest of its file time and the time in its name.
/// <paramref name="Source"/> is the database the backup was taken of: retention judges each database's backups apart.
/// </summary>
internal sealed record RetentionCandidate(string Name, DateTimeOffset CreatedUtc, bool Pinned, bool Verified, string? AppVersion, bool Complete, string? Source = null);

/// <summary>What retention does with one candidate, and the reason printed for it.</summary>
internal sealed record RetentionDecision(RetentionCandidate Candidate, bool Keep, string Reason)
{
    public string Name => Candidate.Name;
}

/// <summary>
/// SPEC §6 as a pure function. Every complete backup is kept for <paramref name="Days"/> days; older ones keep the
/// newest backup of each calendar month for <paramref name="Months"/> months; pinned backups, the last backup before
/// each change of the app's major version and the newest verified backup are never deleted; leftovers older than an
/// hour go. All in UTC.
/// </summary>
internal sealed record RetentionPolicy(int Days = 30, int Months = 12)
{
    public const string Pinned = "kept: pinned";
    public const string NewestVerified = "kept: newest verified";
    public const string Expired = "deleted: expired";
    public const string IncompleteLeftover = "deleted: incomplete leftover";
    public const string IncompleteYoung = "kept: incomplete, younger than an hour";
    public const string ClockWentBackwards = "kept: clock went backwards (newest backup is dated after now)";

    /// <summary>A leftover this young may still be a write in progress.</summary>
    public static readonly TimeSpan LeftoverAge = TimeSpan.FromHours(1);

    /// <summary>
    /// How far in the future a backup may be dated before the clock counts as having gone backwards: file times on
    /// shares come from another machine's clock.
    /// </summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    public static RetentionPolicy Default { get; } = new();

    public string WithinDays => "kept: within " + Days.ToString(CultureInfo.InvariantCulture) + (Days == 1 ? " day" : " days");

    public static string Monthly(int year, int month) => $"kept: monthly {year:0000}-{month:00}";

    public static string LastBefore(long fromMajor, long toMajor)
        => string.Create(CultureInfo.InvariantCulture, $"kept: last before {fromMajor}.x -> {toMajor}.x");

    /// <summary>One decision per candidate, in the order given.</summary>
    public IReadOnlyList<RetentionDecision> Decide(IReadOnlyList<RetentionCandidate> candidates, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(Days, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(Months);

        // Ages measured from a clock that went backwards would be too large: nothing can be trusted, so nothing goes.
        if (candidates.Any(c => c.CreatedUtc > now + ClockTolerance))
        {
            return [.. candidates.Select(c => new RetentionDecision(c, true, ClockWentBackwards))];
        }

        var complete = candidates
            .Where(c => c.Complete)
            .OrderBy(c => c.CreatedUtc)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        var lastBefore = LastBeforeMajorChanges(complete);
        var newestVerified = complete.LastOrDefault(c => c.Verified);
        var monthly = MonthlyBackups(complete, now);

        var decisions = new List<RetentionDecision>(candidates.Count);
        foreach (var candidate in candidates)
        {
            decisions.Add(candidate switch
            {
                { Complete: false } when now - candidate.CreatedUtc > LeftoverAge => new(candidate, false, IncompleteLeftover),
                { Complete: false } => new(candidate, true, IncompleteYoung),
                { Pinned: true } => new(candidate, true, Pinned),
                _ when lastBefore.TryGetValue(candidate, out var change) => new(candidate, true, change),
                _ when now - candidate.CreatedUtc <= TimeSpan.FromDays(Days) => new(candidate, true, WithinDays),
                _ when monthly.TryGetValue(candidate, out var month) => new(candidate, true, month),
                _ when ReferenceEquals(candidate, newestVerified) => new(candidate, true, NewestVerified),
                _ => new(candidate, false, Expired),
            });
        }

        return decisions;
    }

    /// <summary>
    /// The leading number of a version such as <c>2.3.1</c>, <c>v3</c> or <c>2.0.0-rc.1+abc</c>; null when there is
    /// none, and such a backup takes no part in finding major version changes.
    /// </summary>
    public static long? Major(string? version)
    {
        if (string.IsNullOrWhiteSpace(version))
        {
            return null;
        }

        var text = version.AsSpan().Trim();
        if (text[0] is 'v' or 'V')
        {
            text = text[1..];
        }

        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        return digits > 0 && long.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
    }

    /// <summary>
    /// Walks the backups in the order they were taken; each time the major version differs from the previous known
    /// one (up or down), the previous backup is the last one taken before that change.
    /// </summary>
    private static Dictionary<RetentionCandidate, string> LastBeforeMajorChanges(List<RetentionCandidate> chronological)
    {
        var kept = new Dictionary<RetentionCandidate, string>(ReferenceEqualityComparer.Instance);
        RetentionCandidate? previous = null;
        long previousMajor = 0;
        foreach (var candidate in chronological)
        {
            if (Major(candidate.AppVersion) is not { } major)
            {
                continue;
            }

            if (previous is not null && major != previousMajor)
            {
                kept[previous] = LastBefore(previousMajor, major);
            }

            previous = candidate;
            previousMajor = major;
        }

        return kept;
    }

    /// <summary>
    /// The newest backup of each calendar month from the current UTC month back <see cref="Months"/> whole months
    /// (with 12 on 2026-04-15: 2025-04 through 2026-04), so a month's last backup lives at least a year, the seed's
    /// "keep monthly backups for 1 year". A month's newest verified backup represents it; its newest backup when none
    /// is verified.
    /// </summary>
    private Dictionary<RetentionCandidate, string> MonthlyBackups(List<RetentionCandidate> chronological, DateTimeOffset now)
    {
        var kept = new Dictionary<RetentionCandidate, string>(ReferenceEqualityComparer.Instance);
        if (Months == 0)
        {
            return kept;
        }

        var current = MonthIndex(now);
        foreach (var month in chronological.GroupBy(c => MonthIndex(c.CreatedUtc)))
        {
            if (current - month.Key > Months)
            {
                continue;
            }

            var newest = month.LastOrDefault(c => c.Verified) ?? month.Last();
            var utc = newest.CreatedUtc.UtcDateTime;
            kept[newest] = Monthly(utc.Year, utc.Month);
        }

        return kept;
    }

    private static int MonthIndex(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return (utc.Year * 12) + utc.Month - 1;
    }
}
