using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore;

/// <summary>
/// Settings for <c>UseMimoBackup(o => ...)</c>. Each has an MSBuild property and an environment variable of the
/// same name (<c>MimoBackupEnabled</c>, <c>MimoBackupDir</c>, ...), which take precedence over code.
/// </summary>
public sealed class MimoBackupOptionsBuilder
{
    internal CodeSettings Settings { get; private set; } = new();

    /// <summary>Turns the automatic backup on or off (<c>MimoBackupEnabled</c>, default true). Off is recorded in the audit log.</summary>
    /// <param name="enabled">False to migrate without backups.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder Enabled(bool enabled = true) => With(Settings with { Enabled = enabled });

    /// <summary>The folder for backups (<c>MimoBackupDir</c>); default <c>backups</c> beside the database file.</summary>
    /// <param name="folder">An absolute folder, or one relative to the current folder.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder BackupDirectory(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return With(Settings with { BackupDir = MimoSettings.ParseFolder(MimoSettings.BackupDirName, folder) });
    }

    /// <summary>Skips the automatic backup (<c>MimoSkipBackup</c>): printed as a warning and recorded in the audit log.</summary>
    /// <param name="skip">True to skip.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder SkipBackup(bool skip = true) => With(Settings with { SkipBackup = skip });

    /// <summary>How a backup copy is verified (<c>MimoVerify</c>, default <see cref="MimoVerification.Full"/>).</summary>
    /// <param name="verification">The check to run.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder Verify(MimoVerification verification) => With(Settings with { Verify = verification });

    /// <summary>How young a backup must be to count as fresh for destructive operations (<c>MimoFreshBackupMinutes</c>, default 15).</summary>
    /// <param name="minutes">From 1 to 525600.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder FreshBackupMinutes(int minutes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minutes, 525_600);
        return With(Settings with { FreshBackupMinutes = minutes });
    }

    internal void Load(CodeSettings settings) => Settings = settings;

    private MimoBackupOptionsBuilder With(CodeSettings settings)
    {
        Settings = settings;
        return this;
    }
}
