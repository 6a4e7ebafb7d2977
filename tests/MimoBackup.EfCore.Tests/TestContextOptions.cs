using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MimoBackup.EfCore.Tests;

/// <summary>How every migrating test context is configured: SQLite, UseMimoBackup into its folder, lines collected.</summary>
internal static class TestContextOptions
{
    public static DbContextOptionsBuilder UseTestSqlite(
        this DbContextOptionsBuilder options, string connectionString, string backups, List<string>? lines, Action<MimoBackupOptionsBuilder>? mimo = null)
    {
        options
            .UseSqlite(connectionString)
            .UseMimoBackup(o =>
            {
                o.BackupDirectory(backups);
                mimo?.Invoke(o);
            })

            // Each test has its own backup folder, so EF builds a service provider per test.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning, CoreEventId.ManyServiceProvidersCreatedWarning));
        if (lines is not null)
        {
            options.UseLoggerFactory(LoggerFactory.Create(b => b.AddProvider(new LineCollector(lines))));
        }

        return options;
    }
}
