using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore;

/// <summary>
/// The <c>MimoBackup</c> meter of <see cref="System.Diagnostics.Metrics"/>, for OpenTelemetry
/// (<c>.WithMetrics(m =&gt; m.AddMeter(MimoBackupMeter.Name))</c>) or <c>dotnet-counters monitor --counters MimoBackup</c>.
/// Its instruments: <c>mimo.backup.duration</c> (histogram, <c>s</c>), <c>mimo.backup.size</c> (histogram, <c>By</c>),
/// <c>mimo.backup.verification.failures</c> (counter, <c>{failure}</c>) and <c>mimo.backup.newest_verified.age</c>
/// (gauge, <c>s</c>), with the attributes <c>db.system.name</c>, <c>db.namespace</c> (the database file's name),
/// <c>mimo.backup.kind</c>, <c>mimo.backup.verification</c>, <c>mimo.backup.check</c> and, on failure, <c>error.type</c>
/// (the MIMO code).
/// </summary>
public static class MimoBackupMeter
{
    /// <summary>The meter's name: <c>MimoBackup</c>.</summary>
    public const string Name = BackupMetrics.MeterName;

    /// <summary>How long each backup took (snapshot, flush and verification), in seconds; failed ones carry <c>error.type</c>.</summary>
    public const string BackupDuration = BackupMetrics.Duration;

    /// <summary>The size of each verified backup, in bytes.</summary>
    public const string BackupSize = BackupMetrics.Size;

    /// <summary>Backups that failed verification when taken, re-verified or drilled (<c>mimo.backup.check</c>).</summary>
    public const string VerificationFailures = BackupMetrics.VerificationFailures;

    /// <summary>The age of the newest verified backup of each database the app has backed up or checks, in seconds.</summary>
    public const string NewestVerifiedAge = BackupMetrics.NewestVerifiedAge;
}
