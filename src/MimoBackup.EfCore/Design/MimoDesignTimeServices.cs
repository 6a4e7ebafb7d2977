using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimoBackup.EfCore.Internal;
using MimoBackup.EfCore.Migrations;

namespace MimoBackup.EfCore.Design;

/// <summary>
/// Found by dotnet-ef and migration bundles through the <c>DesignTimeServicesReference</c> attribute that the
/// package's build targets put on the app assembly: wraps the context's migrator so that every
/// <c>database update</c>, <c>migrations remove --force</c> and bundle run is backed up first.
/// </summary>
internal sealed class MimoDesignTimeServices : IDesignTimeServices
{
    public void ConfigureDesignTimeServices(IServiceCollection serviceCollection)
    {
        var original = serviceCollection.LastOrDefault(d => d.ServiceType == typeof(IMigrator) && !d.IsKeyedService);
        if (original is null)
        {
            return;
        }

        serviceCollection.Add(new ServiceDescriptor(typeof(IMigrator), provider => Wrap(provider, original), original.Lifetime));
    }

    private static BackupMigrator Wrap(IServiceProvider provider, ServiceDescriptor original)
    {
        var inner = (IMigrator)(original.ImplementationInstance
            ?? original.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, original.ImplementationType!));

        // UseMimoBackup() already decorated the context's migrator: replace that layer rather than adding a
        // second one, so one migration gets one backup and its lines reach dotnet-ef's own output.
        if (inner is BackupMigrator runtime)
        {
            inner = runtime.Inner;
        }

        return new BackupMigrator(
            inner,
            provider.GetRequiredService<ICurrentDbContext>(),
            provider.GetRequiredService<IHistoryRepository>(),
            provider.GetRequiredService<IMigrationsAssembly>(),
            new LoggerOutput(provider.GetRequiredService<ILoggerFactory>().CreateLogger("MimoBackup.EfCore")),
            e => new OperationException(e.Message, e));
    }

}
