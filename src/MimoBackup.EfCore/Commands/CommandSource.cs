using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>-p:MimoSource</c>: whether a command reads the backup folder, the mirror or the remote.</summary>
internal static class CommandSource
{
    internal const string Backup = "BACKUP";
    internal const string Mirror = "MIRROR";
    internal const string Remote = "REMOTE";

    /// <summary><c>-p:MimoSource</c>, upper-cased: null (not given), <see cref="Backup"/>, <see cref="Mirror"/> or <see cref="Remote"/>.</summary>
    internal static string? Of(CommandOptions options)
        => options["Source"] is not { } source ? null
            : source.ToUpperInvariant() is Backup or Mirror or Remote ? source.ToUpperInvariant()
            : throw new MimoBackupException(MimoError.InvalidSetting, "MimoSource", source, "'backup', 'mirror', 'remote'");

    /// <summary>The store a list, verify or restore reads: the backup folder, or the one <c>-p:MimoSource</c> names.</summary>
    internal static IBackupStore Store(CommandTarget target, CommandOptions options)
        => Of(options) switch
        {
            Mirror => new LocalFolderStore(MirrorFolder(target)),
            Remote => RemoteStoreOf(target),
            _ => new LocalFolderStore(target.BackupFolder),
        };

    internal static string MirrorFolder(CommandTarget target)
        => target.Settings.MirrorDir ?? throw new MimoBackupException(
            MimoError.BadCommandUsage,
            $"-p:MimoSource=mirror needs {MimoSettings.MirrorDirName}, which is not set (give -p:{MimoSettings.MirrorDirName}=<folder>, the environment variable, or UseMimoBackup(o => o.MirrorDirectory(...)))");

    /// <summary><c>MimoRemote</c> as a store; MIMO602 without its provider package, a usage error when it is not set.</summary>
    internal static IBackupStore RemoteStoreOf(CommandTarget target)
        => target.Settings.Remote is { } address
            ? RemoteStore.Open(address, target.Settings.EncryptionKey, target.BackupFolder)
            : throw new MimoBackupException(
                MimoError.BadCommandUsage,
                $"-p:MimoSource=remote needs {SettingDefinitions.Remote.Name}, which is not set (give -p:{SettingDefinitions.Remote.Name}=s3://<bucket>/<prefix>, the environment variable, or UseMimoBackup(o => o.Remote(...)))");

    /// <summary>
    /// Runs <paramref name="read"/> on a remote store with its service failures as MIMO603 and a key problem as
    /// MIMO604/605; a local store's failures are left as they are.
    /// </summary>
    internal static T Reading<T>(IBackupStore store, Func<T> read)
    {
        if (store is not ObjectBackupStore)
        {
            return read();
        }

        try
        {
            return read();
        }
        catch (EncryptionKeyMismatchException e)
        {
            throw e.ToMimo();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions[0] is EncryptionKeyMismatchException key)
        {
            throw key.ToMimo();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AggregateException)
        {
            throw new MimoBackupException(MimoError.RemoteUnavailable, e, store.Location, e.GetBaseException().Message.TrimEnd('.'));
        }
    }

    /// <summary>
    /// MIMO605 (or MIMO604) when a backup of the remote that the catalog could not read is encrypted with another key than
    /// the one set: said as such, before a verify records it as damaged or a restore refuses it as incomplete.
    /// </summary>
    internal static void RequireKeys(IBackupStore store, IEnumerable<CatalogEntry> entries)
    {
        if (store is not ObjectBackupStore)
        {
            return;
        }

        foreach (var entry in entries.Where(e => e.State == CatalogState.Incomplete))
        {
            try
            {
                _ = store.Find(entry.FileName + BackupSidecar.Suffix) is null ? null : store.ReadSidecar(entry.FileName);
            }
            catch (EncryptionKeyMismatchException e)
            {
                throw e.ToMimo();
            }
            catch (IOException)
            {
                // Unreadable for another reason: the command says which, in the catalog's words.
            }
        }
    }
}
