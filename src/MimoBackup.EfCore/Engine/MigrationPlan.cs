namespace MimoBackup.EfCore.Engine;

/// <summary>
/// Which migrations a call to <c>Migrate(target)</c> will apply and revert, worked out before anything runs,
/// with the same rules as EF Core's migrator: ids compare ordinally, "0" reverts everything, and only
/// migrations the assembly knows can be reverted.
/// </summary>
internal sealed record MigrationPlan(
    IReadOnlyList<string> Applied,
    IReadOnlyList<string> ToApply,
    IReadOnlyList<string> ToRevert,
    string? TargetId)
{
    public const string InitialDatabase = "0";

    /// <summary>The migration the database will be at afterwards; "0" when every migration is reverted.</summary>
    public string? Target { get; init; }

    public bool IsEmpty => ToApply.Count == 0 && ToRevert.Count == 0;

    public string Direction => ToRevert.Count > 0 ? (ToApply.Count > 0 ? "both" : "down") : "up";

    /// <param name="applied">Ids in the history table.</param>
    /// <param name="known">Ids of the migrations in the assembly.</param>
    /// <param name="targetId">The resolved target id, <c>"0"</c> for none, or null for the newest.</param>
    public static MigrationPlan Compute(IEnumerable<string> applied, IEnumerable<string> known, string? targetId)
    {
        var appliedIds = applied.ToHashSet(StringComparer.Ordinal);
        var knownIds = known.Order(StringComparer.Ordinal).ToList();
        bool WithinTarget(string id) => targetId is null || string.CompareOrdinal(id, targetId) <= 0;

        var toApply = knownIds.Where(id => !appliedIds.Contains(id) && WithinTarget(id)).ToList();
        var toRevert = knownIds.Where(id => appliedIds.Contains(id) && !WithinTarget(id)).Reverse().ToList();
        var final = knownIds.Where(id => (appliedIds.Contains(id) || toApply.Contains(id)) && !toRevert.Contains(id)).LastOrDefault();
        return new MigrationPlan(appliedIds.Order(StringComparer.Ordinal).ToList(), toApply, toRevert, targetId)
        {
            Target = final ?? InitialDatabase,
        };
    }

    public string Describe()
    {
        var parts = new List<string>();
        if (ToApply.Count > 0)
        {
            parts.Add($"apply {ToApply.Count} migration{(ToApply.Count == 1 ? "" : "s")} ({Names(ToApply)})");
        }

        if (ToRevert.Count > 0)
        {
            parts.Add($"revert {ToRevert.Count} migration{(ToRevert.Count == 1 ? "" : "s")} ({Names(ToRevert)})");
        }

        return string.Join(" and ", parts);
    }

    // A long history is named by its ends: the full list is in the sidecar and audit.jsonl.
    private static string Names(IReadOnlyList<string> ids)
        => ids.Count <= 3 ? string.Join(", ", ids) : $"{ids[0]}, {ids[1]} … {ids[^1]}";
}
