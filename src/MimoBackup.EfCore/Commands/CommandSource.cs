using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>-p:MimoSource</c>: whether a command reads the backup folder or the mirror.</summary>
internal static class CommandSource
{
    internal const string Backup = "BACKUP";
    internal const string Mirror = "MIRROR";

    /// <summary><c>-p:MimoSource</c>, upper-cased: null (not given), <see cref="Backup"/> or <see cref="Mirror"/>.</summary>
    internal static string? Of(CommandOptions options)
        => options["Source"] is not { } source ? null
            : source.ToUpperInvariant() is Backup or Mirror ? source.ToUpperInvariant()
            : throw new MimoBackupException(MimoError.InvalidSetting, "MimoSource", source, "'backup', 'mirror'");

    /// <summary>The folder a list or restore reads: the backup folder, or the mirror with <c>-p:MimoSource=mirror</c>.</summary>
    internal static string Folder(CommandTarget target, CommandOptions options)
        => Of(options) == Mirror ? MirrorFolder(target) : target.BackupFolder;

    internal static string MirrorFolder(CommandTarget target)
        => target.Settings.MirrorDir ?? throw new MimoBackupException(
            MimoError.BadCommandUsage,
            $"-p:MimoSource=mirror needs {MimoSettings.MirrorDirName}, which is not set (give -p:{MimoSettings.MirrorDirName}=<folder>, the environment variable, or UseMimoBackup(o => o.MirrorDirectory(...)))");
}
