using System.Text.Json;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

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

    /// <summary>
    /// The backup <paramref name="from"/> names in the remote store, downloaded (and decrypted) into a temporary file of
    /// the backup folder, with its sidecar and where it came from. Refused (MIMO205) when it is incomplete or its
    /// download fails; MIMO604/605 when its key is missing or another.
    /// </summary>
    internal static (RemoteDownload Download, BackupSidecar Sidecar, string Location) Download(CommandTarget target, string from, IBackupStore remote, ICommandOutput output, CancellationToken cancellationToken)
    {
        var catalog = CommandSource.Reading(remote, () => BackupCatalog.Read(remote));
        var named = from.EndsWith(".db", StringComparison.Ordinal) ? from : from + ".db";
        CommandSource.RequireKeys(remote, catalog.Where(e => e.FileName == named));

        if (BackupCatalog.Find(catalog, from) is not { Sidecar: { } sidecar } entry)
        {
            var file = from.EndsWith(".db", StringComparison.Ordinal) ? from : from + ".db";
            throw catalog.FirstOrDefault(e => e.FileName == file) is { } incomplete
                ? new MimoBackupException(MimoError.RestoreSourceRejected, incomplete.Path, "it is an incomplete backup, never a restore point: " + incomplete.Problem)
                : new MimoBackupException(MimoError.BackupNotFound, from, remote.Location);
        }

        output.Information($"{ReportText.Prefix}downloading {entry.FileName} ({ReportText.Size(entry.SizeBytes)}) from {remote.Location}…");
        try
        {
            return (RemoteDownload.Fetch(remote, entry.FileName, entry.SizeBytes, target.BackupFolder, cancellationToken), sidecar, entry.Path);
        }
        catch (EncryptionKeyMismatchException e)
        {
            throw e.ToMimo();
        }
        catch (IOException e)
        {
            throw new MimoBackupException(MimoError.RestoreSourceRejected, e, entry.Path, "its download failed: " + e.Message.TrimEnd('.'));
        }
    }

    private static MimoBackupException NotTheJournal(string from, string journal)
        => new(MimoError.BadCommandUsage, $"'{from}' is the {journal} file of a database, not a database: give the database, not its {journal} (-p:MimoRestoreFrom={from[..^journal.Length]})");
}
