using Microsoft.EntityFrameworkCore.Infrastructure;
using MimoBackup.EfCore.Internal;
using MimoBackup.EfCore;

// The extension lives beside UseSqlite so that it is found without a using directive, as EF's own are.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds MimoBackup's protection to a DbContext's own migrations.</summary>
public static class MimoBackupDbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Takes a verified backup of the SQLite database before <c>Database.Migrate()</c> or <c>MigrateAsync()</c>
    /// applies or reverts a migration, and reports any data the migration lost. dotnet-ef gets the same without
    /// this call; with it, a migration is still backed up once.
    /// </summary>
    /// <param name="optionsBuilder">The builder, usually after <c>UseSqlite(...)</c>.</param>
    /// <param name="configure">Optional settings; environment variables and MSBuild properties of the same names win over them.</param>
    /// <returns>The same builder.</returns>
    public static DbContextOptionsBuilder UseMimoBackup(this DbContextOptionsBuilder optionsBuilder, Action<MimoBackupOptionsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        var builder = new MimoBackupOptionsBuilder();
        var existing = optionsBuilder.Options.FindExtension<MimoBackupOptionsExtension>();
        if (existing is not null)
        {
            builder.Load(existing.Settings);
        }

        configure?.Invoke(builder);
        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(new MimoBackupOptionsExtension(builder.Settings));
        return optionsBuilder;
    }

    /// <inheritdoc cref="UseMimoBackup(DbContextOptionsBuilder, Action{MimoBackupOptionsBuilder}?)"/>
    /// <typeparam name="TContext">The context type.</typeparam>
    public static DbContextOptionsBuilder<TContext> UseMimoBackup<TContext>(this DbContextOptionsBuilder<TContext> optionsBuilder, Action<MimoBackupOptionsBuilder>? configure = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)UseMimoBackup((DbContextOptionsBuilder)optionsBuilder, configure);
}
