using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Internal;

/// <summary>Carries the code settings of <c>UseMimoBackup</c> and puts the backing-up migrator in EF's services.</summary>
internal sealed class MimoBackupOptionsExtension(CodeSettings settings) : IDbContextOptionsExtension
{
    private DbContextOptionsExtensionInfo? _info;

    public CodeSettings Settings { get; } = settings;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    // The provider's extension, applied before this one, registered the services decorated here.
    public void ApplyServices(IServiceCollection services) => MimoBackupServices.Add(services, requireProvider: false);

    public void Validate(IDbContextOptions options)
    {
        var extensions = options.Extensions.ToList();
        var provider = extensions.FindIndex(e => e.Info.IsDatabaseProvider);
        if (provider > extensions.IndexOf(this))
        {
            throw new MimoBackupException(MimoError.UseMimoBackupBeforeProvider);
        }

        // EF applies no extension's services to a provider the app built itself: without the registration every
        // migration would run unprotected, silently.
        var internalProvider = options.FindExtension<CoreOptionsExtension>()?.InternalServiceProvider;
        if (internalProvider is not null && !MimoBackupServices.IsRegistered(internalProvider))
        {
            throw new MimoBackupException(MimoError.ServicesMissing);
        }
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
