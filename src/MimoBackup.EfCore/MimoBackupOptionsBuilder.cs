using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore;

/// <summary>
/// Settings for <c>UseMimoBackup(o => ...)</c>. Each has an MSBuild property and an environment variable of the
/// same name (<c>MimoBackupEnabled</c>, <c>MimoBackupDir</c>, ...), which take precedence over code.
/// </summary>
public sealed class MimoBackupOptionsBuilder
{
    internal CodeSettings Settings { get; private set; } = new();

    /// <summary>Turns the automatic backup on or off (<c>MimoBackupEnabled</c>, default <c>true</c>). Off is recorded in the audit log.</summary>
    /// <param name="enabled">False to migrate without backups.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder Enabled(bool enabled = true) => With(Settings with { Enabled = enabled });

    /// <summary>The folder for backups (<c>MimoBackupDir</c>, default <c>&lt;database folder&gt;/backups</c>).</summary>
    /// <param name="folder">An absolute folder, or one relative to the current folder.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder BackupDirectory(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return With(Settings with { BackupDir = SettingDefinitions.BackupDir.ParseFolder(folder) });
    }

    /// <summary>Skips the automatic backup (<c>MimoSkipBackup</c>, default <c>false</c>): printed as a warning and recorded in the audit log.</summary>
    /// <param name="skip">True to skip.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder SkipBackup(bool skip = true) => With(Settings with { SkipBackup = skip });

    /// <summary>How a backup copy is verified (<c>MimoVerify</c>, default <c>full</c>: <see cref="MimoVerification.Full"/>).</summary>
    /// <param name="verification">The check to run.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder Verify(MimoVerification verification) => With(Settings with { Verify = verification });

    /// <summary>How young a backup must be to count as fresh for destructive operations (<c>MimoFreshBackupMinutes</c>, default <c>15</c>).</summary>
    /// <param name="minutes">From 1 to 525600.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder FreshBackupMinutes(int minutes)
        => With(Settings with { FreshBackupMinutes = SettingDefinitions.FreshBackupMinutes.CheckRange(minutes, nameof(minutes)) });

    /// <summary>How many days every backup is kept (<c>MimoRetentionDays</c>, default <c>30</c>).</summary>
    /// <param name="days">From 1 to 36500.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder RetentionDays(int days)
        => With(Settings with { RetentionDays = SettingDefinitions.RetentionDays.CheckRange(days, nameof(days)) });

    /// <summary>
    /// For how many months, after the retention days, the newest backup of each calendar month is kept
    /// (<c>MimoRetentionMonths</c>, default <c>12</c>).
    /// </summary>
    /// <param name="months">From 0 (no monthly backups) to 1200.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder RetentionMonths(int months)
        => With(Settings with { RetentionMonths = SettingDefinitions.RetentionMonths.CheckRange(months, nameof(months)) });

    /// <summary>
    /// Runs the pending migrations on a private copy of the verified backup before the live database, refuses the
    /// update when they fail there and reports exactly what they will change (<c>MimoRehearse</c>, default <c>true</c>).
    /// </summary>
    /// <param name="rehearse">False to migrate the live database straight after the backup.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder Rehearse(bool rehearse = true) => With(Settings with { Rehearse = rehearse });

    /// <summary>Prunes old backups after every automatic backup (<c>MimoAutoPrune</c>, default <c>true</c>).</summary>
    /// <param name="autoPrune">False to prune only on request.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder AutoPrune(bool autoPrune = true) => With(Settings with { AutoPrune = autoPrune });

    /// <summary>A second folder every verified backup and its sidecar are copied to (<c>MimoMirrorDir</c>, default none).</summary>
    /// <param name="folder">An absolute folder (e.g. a mounted share), or one relative to the current folder.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder MirrorDirectory(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return With(Settings with { MirrorDir = SettingDefinitions.MirrorDir.ParseFolder(folder) });
    }

    /// <summary>Notifies every backup, skip, refusal, restore and prune to <c>MimoNotifyCommand</c> (<c>MimoNotifyOnBackup</c>, default <c>true</c>); false turns notifications off.</summary>
    /// <param name="notify">False for no notifications.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder NotifyOnBackup(bool notify = true) => With(Settings with { NotifyOnBackup = notify });

    /// <summary>
    /// A shell command run for every backup, skip, refusal, restore and prune with the event as JSON on its standard
    /// input (<c>MimoNotifyCommand</c>, default none). A command that fails or takes longer than 10 seconds is a
    /// warning, never an error.
    /// </summary>
    /// <param name="command">Run with <c>/bin/sh -c</c>, or <c>cmd /c</c> on Windows.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder NotifyCommand(string command)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        return With(Settings with { NotifyCommand = SettingDefinitions.NotifyCommand.ParseText(command) });
    }

    /// <summary>
    /// Uploads every verified backup and its sidecar to object storage (<c>MimoRemote</c>, default none):
    /// <c>s3://bucket/prefix</c> needs the package MimoBackup.EfCore.S3, <c>azblob://container/prefix</c> the package
    /// MimoBackup.EfCore.AzureBlob. A failed upload is a warning; the next backup uploads what is missing.
    /// </summary>
    /// <param name="address">The bucket or container and the prefix the backups go under.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder Remote(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return With(Settings with { Remote = RemoteAddress.Parse(address, SettingDefinitions.Remote.Name).Text });
    }

    /// <summary>
    /// The file holding the key that encrypts remote copies (<c>MimoEncryptionKeyFile</c>, default none), used when the
    /// environment variable <c>MimoEncryptionKey</c> is not set: 32 bytes as base64 or hex. The key never appears in
    /// any output; sidecars and messages name its id.
    /// </summary>
    /// <param name="path">An absolute path, or one relative to the current folder.</param>
    /// <returns>This builder.</returns>
    public MimoBackupOptionsBuilder EncryptionKeyFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return With(Settings with { EncryptionKeyFile = SettingDefinitions.EncryptionKeyFile.ParseFolder(path) });
    }

    internal void Load(CodeSettings settings) => Settings = settings;

    private MimoBackupOptionsBuilder With(CodeSettings settings)
    {
        Settings = settings;
        return this;
    }
}
