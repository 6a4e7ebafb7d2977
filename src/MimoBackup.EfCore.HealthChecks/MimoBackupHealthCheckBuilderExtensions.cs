using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MimoBackup.EfCore.HealthChecks;

/// <summary>Adds the MimoBackup health check to <c>services.AddHealthChecks()</c>.</summary>
public static class MimoBackupHealthCheckBuilderExtensions
{
    /// <summary>
    /// Checks the backups of <typeparamref name="TContext"/>'s SQLite database (the folder and settings its
    /// <c>UseMimoBackup</c> resolves): Unhealthy when there is no verified backup, when the newest is older than
    /// <see cref="MimoBackupHealthCheckOptions.MaxBackupAge"/>, when the newest verification failed, or when the remote
    /// copy of the newest is missing; Degraded when migrations are pending. Each check also reports the age to the
    /// <c>MimoBackup</c> meter.
    /// </summary>
    /// <typeparam name="TContext">The app's DbContext, registered in the services.</typeparam>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Changes to the defaults of <see cref="MimoBackupHealthCheckOptions"/>.</param>
    /// <param name="name">The check's name (default <c>mimo-backup</c>).</param>
    /// <param name="tags">Tags to filter the check by.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddMimoBackup<TContext>(
        this IHealthChecksBuilder builder,
        Action<MimoBackupHealthCheckOptions>? configure = null,
        string name = "mimo-backup",
        IEnumerable<string>? tags = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new MimoBackupHealthCheckOptions();
        configure?.Invoke(options);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new MimoBackupHealthCheck<TContext>(services.GetRequiredService<IServiceScopeFactory>(), options, TimeProvider.System),
            failureStatus: HealthStatus.Unhealthy,
            tags));
    }
}
