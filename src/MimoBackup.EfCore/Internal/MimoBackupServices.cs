using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// The one registration of MimoBackup's EF services, used by <c>UseMimoBackup()</c>'s extension and by
/// <c>AddEntityFrameworkMimoBackup()</c>; its presence in a provider is how misconfiguration is found.
/// </summary>
internal sealed class MimoBackupServices
{
    public static bool IsRegistered(IServiceProvider provider) => provider.GetService<MimoBackupServices>() is not null;

    public static void Add(IServiceCollection services, bool requireProvider)
    {
        // Twice would decorate twice: one migration, two backups.
        if (services.Any(d => d.ServiceType == typeof(MimoBackupServices)))
        {
            return;
        }

        // The provider's registrations must be there to be decorated.
        var migrator = ServiceDecoration.Decorate<IMigrator>(services, (provider, inner) => new BackupMigrator(
            inner,
            provider.GetRequiredService<ICurrentDbContext>(),
            provider.GetRequiredService<IHistoryRepository>(),
            provider.GetRequiredService<IMigrationsAssembly>(),
            Output(provider),
            e => e));
        var creator = ServiceDecoration.Decorate<IDatabaseCreator>(services, (provider, inner) => inner is IRelationalDatabaseCreator relational
            ? new GuardedDatabaseCreator(relational, provider.GetRequiredService<ICurrentDbContext>(), Output(provider))
            : inner);
        if (requireProvider && !(migrator && creator))
        {
            throw new MimoBackupException(MimoError.ServicesBeforeProvider);
        }

        services.TryAddSingleton<MimoBackupServices>();
    }

    private static LoggerOutput Output(IServiceProvider provider)
        => new(provider.GetRequiredService<IDiagnosticsLogger<DbLoggerCategory.Migrations>>().Logger);
}
