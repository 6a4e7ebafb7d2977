using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// The <c>MimoBackup</c> meter (<see cref="System.Diagnostics.Metrics"/>): what a running app's OpenTelemetry (or
/// <c>dotnet-counters</c>) collects. Names, units and attributes follow OpenTelemetry's semantic conventions: dotted
/// lower-case names under the <c>mimo.backup</c> namespace, UCUM units (<c>s</c>, <c>By</c>, <c>{failure}</c>), the
/// database as <c>db.system.name</c>/<c>db.namespace</c>, and <c>error.type</c> for a failed operation.
/// </summary>
internal static class BackupMetrics
{
    public const string MeterName = "MimoBackup";
    public const string Duration = "mimo.backup.duration";
    public const string Size = "mimo.backup.size";
    public const string VerificationFailures = "mimo.backup.verification.failures";
    public const string NewestVerifiedAge = "mimo.backup.newest_verified.age";

    private static readonly Meter Meter = new(MeterName, typeof(BackupMetrics).Assembly.GetName().Version?.ToString(3));
    private static readonly Histogram<double> DurationHistogram = Meter.CreateHistogram<double>(
        Duration, "s", "How long a backup took: snapshot, flush and verification", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });

    private static readonly Histogram<long> SizeHistogram = Meter.CreateHistogram<long>(Size, "By", "The size of each verified backup");
    private static readonly Counter<long> FailureCounter = Meter.CreateCounter<long>(VerificationFailures, "{failure}", "Backups that failed verification: when taken, re-verified, or in a restore drill");

    /// <summary>Databases whose newest verified backup's age the gauge reports, by database path.</summary>
    private static readonly ConcurrentDictionary<string, string> Watched = new(StringComparer.Ordinal);

    static BackupMetrics()
    {
        Meter.CreateObservableGauge(NewestVerifiedAge, ObserveAges, "s", "The age of the newest verified backup of each database the app has backed up or checks");
    }

    /// <summary>A verified backup was taken.</summary>
    public static void BackupTaken(string database, string kind, string verification, TimeSpan duration, long bytes)
    {
        var tags = Tags(database, kind, verification);
        DurationHistogram.Record(duration.TotalSeconds, tags);
        SizeHistogram.Record(bytes, tags);
    }

    /// <summary>A backup was not taken, for the reason <paramref name="error"/> (a MIMO code): its duration still counts.</summary>
    public static void BackupFailed(string database, string kind, string verification, TimeSpan duration, string error)
    {
        var tags = Tags(database, kind, verification);
        tags.Add("error.type", error);
        DurationHistogram.Record(duration.TotalSeconds, tags);
    }

    /// <summary>A backup failed verification; <paramref name="check"/> is <c>backup</c>, <c>verify</c> or <c>restore-test</c>.</summary>
    public static void VerificationFailed(string database, string check)
        => FailureCounter.Add(1, new TagList { { "db.system.name", "sqlite" }, { "db.namespace", Path.GetFileName(database) }, { "mimo.backup.check", check } });

    /// <summary>Reports the age of the newest verified backup of <paramref name="database"/> in <paramref name="folder"/> from now on.</summary>
    public static void Watch(string database, string folder) => Watched[Path.GetFullPath(database)] = Path.GetFullPath(folder);

    private static TagList Tags(string database, string kind, string verification)
        => new() { { "db.system.name", "sqlite" }, { "db.namespace", Path.GetFileName(database) }, { "mimo.backup.kind", kind }, { "mimo.backup.verification", verification } };

    private static IEnumerable<Measurement<double>> ObserveAges()
    {
        var now = DateTimeOffset.UtcNow;
        var measurements = new List<Measurement<double>>();
        foreach (var (database, folder) in Watched)
        {
            CatalogEntry? newest;
            try
            {
                newest = BackupCatalog.NewestVerified(BackupCatalog.Read(folder).Where(e => e.Sidecar is not { } sidecar || sidecar.Source.Path == database).ToList());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (newest is not null)
            {
                measurements.Add(new Measurement<double>((now - newest.CreatedUtc).TotalSeconds, new KeyValuePair<string, object?>("db.system.name", "sqlite"), new KeyValuePair<string, object?>("db.namespace", Path.GetFileName(database))));
            }
        }

        return measurements;
    }
}
