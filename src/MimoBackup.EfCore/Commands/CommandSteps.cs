using System.Globalization;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary>Steps several commands take: the database must exist, the aftercare of a new backup, a duration, virtual tables.</summary>
internal static class CommandSteps
{
    internal static void RequireDatabase(CommandTarget target)
    {
        if (!File.Exists(target.DatabasePath))
        {
            throw new MimoBackupException(MimoError.NoDatabase, $"'{target.DatabasePath}' does not exist");
        }
    }

    internal static BackupAftercare Aftercare(CommandTarget target, ICommandOutput output)
        => new(target.Settings, target.BackupFolder, output);

    /// <summary>Virtual tables (FTS indexes) are neither exported nor imported: an index kept by triggers is now stale.</summary>
    internal static void WarnAboutVirtualTables(CommandTarget target, ICommandOutput output, string what)
    {
        var virtualTables = DatabaseContent.VirtualTables(target.DatabasePath, target.BusyTimeout);
        if (virtualTables.Count > 0)
        {
            output.Warning($"{Prefix}virtual tables are not {what} ({string.Join(", ", virtualTables)}); rebuild them from their content "
                + "after an import, e.g. INSERT INTO fts(fts) VALUES('rebuild') for an FTS index.");
        }
    }

    internal static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
