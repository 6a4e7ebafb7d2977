using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Design;

/// <summary>
/// Found by dotnet-ef and migration bundles through the <c>DesignTimeServicesReference</c> attribute that the
/// package's build targets put on the app assembly: wraps the context's migrator so that every
/// <c>database update</c>, <c>migrations remove --force</c> and bundle run is backed up first.
/// </summary>
internal sealed class MimoDesignTimeServices : IDesignTimeServices
{
    public void ConfigureDesignTimeServices(IServiceCollection serviceCollection)
        => ServiceDecoration.Decorate<IMigrator>(serviceCollection, (provider, inner) => new BackupMigrator(
            // UseMimoBackup() already decorated the context's migrator: replace that layer rather than adding a
            // second one, so one migration gets one backup and its lines reach dotnet-ef's own output.
            inner is BackupMigrator runtime ? runtime.Inner : inner,
            provider.GetRequiredService<ICurrentDbContext>(),
            provider.GetRequiredService<IHistoryRepository>(),
            provider.GetRequiredService<IMigrationsAssembly>(),
            new LoggerOutput(provider.GetRequiredService<ILoggerFactory>().CreateLogger("MimoBackup.EfCore")),
            e => new OperationException(e.Message, e)));
}
