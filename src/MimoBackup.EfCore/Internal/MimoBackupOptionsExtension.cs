using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using MimoBackup.EfCore.Migrations;

namespace MimoBackup.EfCore.Internal;

/// <summary>Carries the code settings of <c>UseMimoBackup</c> and puts the backing-up migrator in EF's services.</summary>
internal sealed class MimoBackupOptionsExtension(CodeSettings settings) : IDbContextOptionsExtension
{
    private DbContextOptionsExtensionInfo? _info;

    public CodeSettings Settings { get; } = settings;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
        // The provider's extension, applied before this one, registered the services decorated here.
        ServiceDecoration.Decorate<IMigrator>(services, (provider, inner) => new BackupMigrator(
            inner,
            provider.GetRequiredService<ICurrentDbContext>(),
            provider.GetRequiredService<IHistoryRepository>(),
            provider.GetRequiredService<IMigrationsAssembly>(),
            Output(provider),
            e => e));
        ServiceDecoration.Decorate<IDatabaseCreator>(services, (provider, inner) => inner is IRelationalDatabaseCreator relational
            ? new GuardedDatabaseCreator(relational, provider.GetRequiredService<ICurrentDbContext>(), Output(provider))
            : inner);
    }

    public void Validate(IDbContextOptions options)
    {
        var extensions = options.Extensions.ToList();
        var provider = extensions.FindIndex(e => e.Info.IsDatabaseProvider);
        if (provider > extensions.IndexOf(this))
        {
            throw new MimoBackupException(MimoError.UseMimoBackupBeforeProvider);
        }
    }

    private static LoggerOutput Output(IServiceProvider provider)
        => new(provider.GetRequiredService<IDiagnosticsLogger<DbLoggerCategory.Migrations>>().Logger);

    private sealed class ExtensionInfo(MimoBackupOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        private new MimoBackupOptionsExtension Extension => (MimoBackupOptionsExtension)base.Extension;

        public override bool IsDatabaseProvider => false;

        public override string LogFragment => "using MimoBackup ";

        // Every setting takes part: two contexts that differ in one must not share a service provider.
        public override int GetServiceProviderHashCode() => Extension.Settings.GetHashCode();

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other)
            => other is ExtensionInfo info && info.Extension.Settings == Extension.Settings;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
            => debugInfo["MimoBackup:Settings"] = Extension.Settings.GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
