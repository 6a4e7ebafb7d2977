using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Internal;
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
        => services.AddScoped<IMigrator>(provider => new BackupMigrator(
#pragma warning disable EF1001 // EF's own migrator is what we decorate; it has no public factory.
            ActivatorUtilities.CreateInstance<Migrator>(provider),
#pragma warning restore EF1001
            provider.GetRequiredService<ICurrentDbContext>(),
            provider.GetRequiredService<IHistoryRepository>(),
            provider.GetRequiredService<IMigrationsAssembly>(),
            new LoggerOutput(provider.GetRequiredService<IDiagnosticsLogger<DbLoggerCategory.Migrations>>().Logger),
            e => e));

    public void Validate(IDbContextOptions options)
    {
    }

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
