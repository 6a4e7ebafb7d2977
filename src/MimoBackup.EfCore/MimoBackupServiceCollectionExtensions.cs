using MimoBackup.EfCore.Internal;

// Beside EF's own AddEntityFrameworkSqlite(), so that it is found without a using directive.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds MimoBackup's services to a service provider that an app builds for EF itself.</summary>
public static class MimoBackupServiceCollectionExtensions
{
    /// <summary>
    /// Registers MimoBackup's migrator and database creator for an app that passes its own provider to
    /// <c>UseInternalServiceProvider(...)</c>; EF then does not apply <c>UseMimoBackup()</c>'s services itself.
    /// Not needed otherwise. Call it after <c>AddEntityFrameworkSqlite()</c>, and keep <c>UseMimoBackup()</c> on the
    /// options for the settings.
    /// </summary>
    /// <param name="serviceCollection">The collection the internal service provider is built from.</param>
    /// <returns>The same collection.</returns>
    /// <exception cref="MimoBackup.EfCore.MimoBackupException">MIMO007 when the SQLite provider's services are not registered yet.</exception>
    public static IServiceCollection AddEntityFrameworkMimoBackup(this IServiceCollection serviceCollection)
    {
        ArgumentNullException.ThrowIfNull(serviceCollection);
        MimoBackupServices.Add(serviceCollection, requireProvider: true);
        return serviceCollection;
    }
}
