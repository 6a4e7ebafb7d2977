using System.Globalization;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// How the package words what the engine returns: one place for the prefix, sizes, paths and the one-line summaries
/// every front-end prints, so the engine stays free of text and the front-ends say the same thing the same way.
/// </summary>
internal static class ReportText
{
    /// <summary>How every line of the package begins, in every front-end.</summary>
    internal const string Prefix = "Mimo: ";

    /// <summary>"98 migrations, 11 with data-changing operations: …" with at most ten findings.</summary>
    internal static string PlanLine(MigrationPlan plan, IReadOnlyList<PlanFinding> findings)
    {
        var steps = plan.ToApply.Count + plan.ToRevert.Count;
        var changing = findings.Select(f => f.MigrationId).Distinct(StringComparer.Ordinal).Count();
        var head = $"{DataChangeReport.Plural(steps, "migration")}, " + (changing == 0 ? "none with data-changing operations." : $"{DataChangeReport.N(changing)} with data-changing operations: ");
        return changing == 0 ? head
            : head + string.Join("; ", findings.Take(10).Select(f => f.Text)) + (findings.Count > 10 ? $"; {DataChangeReport.N(findings.Count - 10)} more in audit.jsonl." : ".");
    }

    /// <summary>"Mimo: rehearsal passed in 0.05 s; the update will change: …" and at most ten findings.</summary>
    internal static string RehearsalText(RehearsalResult result)
        => $"{Prefix}rehearsal passed in {result.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s; the update will change: {result.Report!.Text()}";

    /// <summary>A verified backup as every front-end reports it: file, size, check, census, hash and duration.</summary>
    internal static string Describe(BackupResult backup)
    {
        var sidecar = backup.Sidecar;
        return $"verified backup {Display(backup.Path)} ({Size(sidecar.SizeBytes)}, {sidecar.Verification.Method} {sidecar.Verification.Result}, "
            + $"{DataChangeReport.Plural(sidecar.Tables.Count, "table")}, {DataChangeReport.Plural(sidecar.Census.TotalRows, "row")}, sha256 {sidecar.Sha256[..12]}…"
            + $"{(sidecar.Pinned ? ", pinned" : "")}) in {backup.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";
    }

    /// <summary>A path relative to the current folder, absolute only when outside it.</summary>
    internal static string Display(string path) => Invocation.Display(path);

    /// <summary>Bytes in B, KiB, MiB or GiB.</summary>
    internal static string Size(long bytes)
        => bytes switch
        {
            < 1024 => $"{bytes} B",
            < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
            < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
            _ => (bytes / 1073741824.0).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        };
}
