using System.Text.Json;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Commands;

/// <summary>What <c>-p:MimoRestoreFrom</c> names: a backup in the folder, or the path of a SQLite file, with its sidecar.</summary>
internal static class RestoreSource
{
    internal static (string Path, BackupSidecar? Sidecar) Resolve(CommandTarget target, string from, string? folder = null)
    {
        folder ??= target.BackupFolder;
        var catalog = BackupCatalog.Read(folder);
        var looksLikePath = from.Contains('/', StringComparison.Ordinal) || from.Contains('\\', StringComparison.Ordinal) || File.Exists(from);
        if (!looksLikePath)
        {
            if (BackupCatalog.Find(catalog, from) is { } entry)
            {
                return (entry.Path, entry.Sidecar);
            }

            var file = from.EndsWith(".db", StringComparison.Ordinal) ? from : from + ".db";
            if (catalog.FirstOrDefault(e => e.FileName == file) is { } incomplete)
            {
                throw new MimoBackupException(MimoError.RestoreSourceRejected, incomplete.Path, "it is an incomplete backup, never a restore point: " + incomplete.Problem);
            }

            // 'app.db-wal' names no backup; it is a side file, already gone when the runner's connection checkpointed it.
            if (DatabaseRestore.JournalOf(Path.GetFullPath(from)) is { } journal)
            {
                throw NotTheJournal(from, journal);
            }

            throw new MimoBackupException(MimoError.BackupNotFound, from, folder);
        }

        var path = Path.GetFullPath(from);
        if (DatabaseRestore.JournalOf(path) is { } suffix)
        {
            // Checked before existence: the runner's own connection may have checkpointed the -wal away already.
            throw NotTheJournal(from, suffix);
        }

        if (!File.Exists(path))
        {
            throw new MimoBackupException(MimoError.BackupNotFound, from, Path.GetDirectoryName(path));
        }

        BackupSidecar? sidecar = null;
        if (File.Exists(path + BackupSidecar.Suffix))
        {
            try
            {
                sidecar = BackupSidecar.Load(path + BackupSidecar.Suffix);
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new MimoBackupException(MimoError.RestoreSourceRejected, e, path, "its sidecar cannot be read: " + e.Message);
            }
        }

        return (path, sidecar);
    }

    private static MimoBackupException NotTheJournal(string from, string journal)
        => new(MimoError.BadCommandUsage, $"'{from}' is the {journal} file of a database, not a database: give the database, not its {journal} (-p:MimoRestoreFrom={from[..^journal.Length]})");
}
