namespace MimoBackup.EfCore.HealthChecks;

/// <summary>What <see cref="MimoBackupHealthCheckBuilderExtensions.AddMimoBackup{TContext}"/> holds the app's backups to.</summary>
public sealed class MimoBackupHealthCheckOptions
{
    /// <summary>Unhealthy when the newest verified backup is older than this (default 7 days, as <c>MimoMaxBackupAgeDays</c>).</summary>
    public TimeSpan MaxBackupAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Unhealthy when <c>MimoRemote</c> is set and the newest verified backup is not uploaded (default true).</summary>
    public bool RequireRemoteCopy { get; set; } = true;

    /// <summary>Degraded when the database has migrations the app would apply (default true).</summary>
    public bool ReportPendingMigrations { get; set; } = true;
}
