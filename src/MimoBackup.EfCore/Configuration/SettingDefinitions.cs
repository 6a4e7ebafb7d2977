using System.Globalization;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Configuration;

/// <summary>How a setting's text is read.</summary>
internal enum SettingKind
{
    Bool,
    Int,
    Folder,
    Enum,
    Text,
}

/// <summary>Who reads a setting.</summary>
internal enum SettingScope
{
    /// <summary>The app (and the runner): an MSBuild property written into the settings file, an environment variable and a builder option.</summary>
    App,

    /// <summary>The package's targets only (<c>dotnet msbuild -t:Mimo… -p:…</c>, or the build itself).</summary>
    Targets,

    /// <summary>One manual operation: the targets pass it to the runner as an option, by its name without <c>Mimo</c>.</summary>
    Command,

    /// <summary>A secret: read from the environment only, never from a project file, the settings file or code.</summary>
    Secret,
}

/// <summary>
/// One setting. <see cref="Default"/> is the value as it would be written (null: not set), <see cref="DefaultNote"/>
/// what not set means when that is not a value (<c>&lt;database folder&gt;/backups</c>).
/// </summary>
internal sealed record SettingDefinition(string Name, SettingKind Kind, SettingScope Scope, string? Default, string Description)
{
    public string? DefaultNote { get; init; }

    /// <summary>The <c>MimoBackupOptionsBuilder</c> method of an app setting.</summary>
    public string? BuilderMethod { get; init; }

    /// <summary>How the README's code column shows the builder call.</summary>
    public string? CodeExample { get; init; }

    public int Minimum { get; init; }

    /// <summary>The largest whole number allowed, or null for no limit.</summary>
    public int? Maximum { get; init; }

    /// <summary>What a whole number counts (<c>minutes</c>), for the message of an invalid value.</summary>
    public string? Unit { get; init; }

    /// <summary>A valid value other than the default, for examples and tests, when the kind alone does not give one.</summary>
    public string? Example { get; init; }

    /// <summary>What a text value is, for the message of an invalid one.</summary>
    public string Expected { get; init; } = "text";

    /// <summary>The values an enum setting takes, lower case as they are written.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>The default as the README and the builder's docs show it: code, or <c>none</c>.</summary>
    public string DefaultText => (Default ?? DefaultNote) is { } shown ? $"`{shown}`" : "none";

    /// <summary>The range of a whole number as the README shows it, e.g. <c>(1–36500)</c>, or empty.</summary>
    public string RangeText => Kind == SettingKind.Int && Maximum is { } maximum ? $"({Minimum}–{maximum})" : "";

    public bool DefaultBool => ParseBool(Default ?? throw new InvalidOperationException(Name + " has no default"));

    public int DefaultInt => ParseInt(Default ?? throw new InvalidOperationException(Name + " has no default"));

    public T DefaultEnum<T>()
        where T : struct, Enum
        => ParseEnum<T>(Default ?? throw new InvalidOperationException(Name + " has no default"));

    public bool ParseBool(string value)
        => value.ToUpperInvariant() switch
        {
            "TRUE" => true,
            "FALSE" => false,
            _ => throw new MimoBackupException(MimoError.InvalidSetting, Name, value, "true, false"),
        };

    public int ParseInt(string value) => ParseInt(Name, value, Minimum, Maximum, Unit);

    /// <summary>A whole number from <paramref name="minimum"/> to <paramref name="maximum"/> (null: no limit).</summary>
    public static int ParseInt(string name, string value, int minimum, int? maximum, string? unit)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= (maximum ?? int.MaxValue)
            ? number
            : throw new MimoBackupException(MimoError.InvalidSetting, name, value, maximum is { } most
                ? $"a whole number {(unit is null ? "" : "of " + unit + " ")}from {minimum} to {most}"
                : $"a whole number {(unit is null ? "" : "of " + unit + " ")}of at least {minimum}");

    /// <summary>The check of a value set in code: the same range, as an <see cref="ArgumentOutOfRangeException"/>.</summary>
    public int CheckRange(int value, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, Minimum, parameterName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Maximum ?? int.MaxValue, parameterName);
        return value;
    }

    public T ParseEnum<T>(string value)
        where T : struct, Enum
        => Values.FirstOrDefault(v => v.ToUpperInvariant() == value.ToUpperInvariant()) is { } known
            ? System.Enum.Parse<T>(known, ignoreCase: true)
            : throw new MimoBackupException(MimoError.InvalidSetting, Name, value, string.Join(", ", Values));

    public string ParseFolder(string value)
        => value.IndexOfAny(['\0', '\n', '\r']) < 0
            ? value
            : throw new MimoBackupException(MimoError.InvalidSetting, Name, value.ReplaceLineEndings(" "), "a folder path");

    public string ParseText(string value)
        => value.Contains('\0', StringComparison.Ordinal)
            ? throw new MimoBackupException(MimoError.InvalidSetting, Name, value.Replace("\0", "\\0", StringComparison.Ordinal), Expected)
            : value;
}

/// <summary>
/// Every <c>Mimo*</c> property of the package, once. The builder, <see cref="MimoSettings.Resolve"/>, the command
/// options and the range checks read it; tests hold the targets' lists and the README's settings table to it.
/// </summary>
internal static class SettingDefinitions
{
    public static readonly SettingDefinition Enabled = new("MimoBackupEnabled", SettingKind.Bool, SettingScope.App, "true",
        "`false` migrates without backups (warned and audited)")
    { BuilderMethod = "Enabled", CodeExample = "o.Enabled(false)" };

    public static readonly SettingDefinition BackupDir = new("MimoBackupDir", SettingKind.Folder, SettingScope.App, null,
        "where backups go; an MSBuild value is relative to the project folder, an environment or code value to the current folder")
    { DefaultNote = "<database folder>/backups", BuilderMethod = "BackupDirectory", CodeExample = "o.BackupDirectory(path)" };

    public static readonly SettingDefinition SkipBackup = new("MimoSkipBackup", SettingKind.Bool, SettingScope.App, "false",
        "skip the automatic backup (warned and audited; once per build when set through MSBuild)")
    { BuilderMethod = "SkipBackup", CodeExample = "o.SkipBackup()" };

    public static readonly SettingDefinition Verify = new("MimoVerify", SettingKind.Enum, SettingScope.App, "full",
        "`full` = `integrity_check`, `quick` = `quick_check`")
    { Values = ["full", "quick"], BuilderMethod = "Verify", CodeExample = "o.Verify(MimoVerification.Quick)" };

    public static readonly SettingDefinition FreshBackupMinutes = new("MimoFreshBackupMinutes", SettingKind.Int, SettingScope.App, "15",
        "how young a backup must be to count as fresh for destructive operations")
    { Minimum = 1, Maximum = 525_600, Unit = "minutes", BuilderMethod = "FreshBackupMinutes", CodeExample = "o.FreshBackupMinutes(n)" };

    public static readonly SettingDefinition RetentionDays = new("MimoRetentionDays", SettingKind.Int, SettingScope.App, "30",
        "every backup is kept this many days")
    { Minimum = 1, Maximum = 36_500, Unit = "days", BuilderMethod = "RetentionDays", CodeExample = "o.RetentionDays(n)" };

    public static readonly SettingDefinition RetentionMonths = new("MimoRetentionMonths", SettingKind.Int, SettingScope.App, "12",
        "older ones keep the newest of each calendar month for this many months")
    { Minimum = 0, Maximum = 1200, Unit = "months", BuilderMethod = "RetentionMonths", CodeExample = "o.RetentionMonths(n)" };

    public static readonly SettingDefinition AutoPrune = new("MimoAutoPrune", SettingKind.Bool, SettingScope.App, "true",
        "prune the backup folder and the mirror after every backup")
    { BuilderMethod = "AutoPrune", CodeExample = "o.AutoPrune(false)" };

    public static readonly SettingDefinition MirrorDir = new("MimoMirrorDir", SettingKind.Folder, SettingScope.App, null,
        "a second folder (another disk, a share) every verified backup and sidecar is copied to; relative as `MimoBackupDir`")
    { BuilderMethod = "MirrorDirectory", CodeExample = "o.MirrorDirectory(path)" };

    public static readonly SettingDefinition NotifyOnBackup = new("MimoNotifyOnBackup", SettingKind.Bool, SettingScope.App, "true",
        "notify every backup, skip, refusal, restore and prune to `MimoNotifyCommand`; `false` turns notifications off")
    { BuilderMethod = "NotifyOnBackup", CodeExample = "o.NotifyOnBackup(false)" };

    public static readonly SettingDefinition Rehearse = new("MimoRehearse", SettingKind.Bool, SettingScope.App, "true",
        "run the pending migrations on a copy of the verified backup first (see \"Rehearsal\"); `false` migrates straight after the backup")
    { BuilderMethod = "Rehearse", CodeExample = "o.Rehearse(false)" };

    public static readonly SettingDefinition NotifyCommand = new("MimoNotifyCommand", SettingKind.Text, SettingScope.App, null,
        "a shell command that gets each event as JSON on standard input (10 s limit; failures are warnings)")
    { Expected = "a shell command", BuilderMethod = "NotifyCommand", CodeExample = "o.NotifyCommand(cmd)" };

    public static readonly SettingDefinition Remote = new("MimoRemote", SettingKind.Text, SettingScope.App, null,
        "object storage every verified backup and sidecar is uploaded to: `s3://bucket/prefix` or `azblob://container/prefix` (see \"Off-site copies\")")
    { Expected = "s3://<bucket>/<prefix>, azblob://<container>/<prefix>", Example = "s3://backups/app", BuilderMethod = "Remote", CodeExample = "o.Remote(\"s3://bucket/prefix\")" };

    public static readonly SettingDefinition EncryptionKeyFile = new("MimoEncryptionKeyFile", SettingKind.Folder, SettingScope.App, null,
        "a file holding the key that encrypts remote copies (32 bytes, base64 or hex), when `MimoEncryptionKey` is not in the environment; relative as `MimoBackupDir`")
    { BuilderMethod = "EncryptionKeyFile", CodeExample = "o.EncryptionKeyFile(path)" };

    public static readonly SettingDefinition EncryptionKey = new("MimoEncryptionKey", SettingKind.Text, SettingScope.Secret, null,
        "the key that encrypts remote copies (AES-256-GCM), 32 bytes as base64 or hex: an environment variable only, never a project file");

    /// <summary>Every setting, the app's in the README's order, then the targets' and the commands'.</summary>
    public static IReadOnlyList<SettingDefinition> All { get; } =
    [
        Enabled, BackupDir, SkipBackup, Verify, FreshBackupMinutes, RetentionDays, RetentionMonths, AutoPrune, MirrorDir, NotifyOnBackup, Rehearse, NotifyCommand, Remote, EncryptionKeyFile,
        EncryptionKey,

        new("MimoDesignTimeHook", SettingKind.Bool, SettingScope.Targets, "true", "`false` leaves the design-time hook out of the app assembly"),
        new("MimoNoBuild", SettingKind.Bool, SettingScope.Targets, "false", "run a manual operation without building the app first"),
        new("MimoProject", SettingKind.Text, SettingScope.Targets, null, "the project holding the DbContext, as dotnet-ef's --project"),
        new("MimoContext", SettingKind.Text, SettingScope.Targets, null, "the DbContext, when the app has several"),
        new("MimoDatabase", SettingKind.Text, SettingScope.Targets, null, "an explicit database file"),

        new("MimoBackupName", SettingKind.Text, SettingScope.Command, null, "the name of a manual backup, or the backup to verify"),
        new("MimoPin", SettingKind.Bool, SettingScope.Command, "false", "pin a manual backup: retention keeps it"),
        new("MimoRestoreFrom", SettingKind.Text, SettingScope.Command, null, "the backup, or any SQLite file, to restore"),
        new("MimoOutput", SettingKind.Enum, SettingScope.Command, "table", "how a list, plan, status or verify is printed") { Values = ["table", "json"] },
        new("MimoMaxBackupAgeDays", SettingKind.Int, SettingScope.Command, "7", "status warns when the newest verified backup is older") { Minimum = 1 },
        new("MimoCheckpoint", SettingKind.Bool, SettingScope.Command, "false", "status checkpoints a large WAL"),
        new("MimoExportFile", SettingKind.Text, SettingScope.Command, null, "the file an export writes"),
        new("MimoImportFile", SettingKind.Text, SettingScope.Command, null, "the file an import reads"),
        new("MimoDryRun", SettingKind.Bool, SettingScope.Command, "false", "show what a prune or import would do, changing nothing"),
        new("MimoRestoreTest", SettingKind.Bool, SettingScope.Command, "false", "verify restores the newest verified backup into a temporary database and checks it (a restore drill)"),
        new("MimoSource", SettingKind.Enum, SettingScope.Command, null, "`backup`, `mirror` or `remote`: which store a list, verify, prune or restore reads") { Values = ["backup", "mirror", "remote"] },
    ];

    /// <summary>The setting of that name.</summary>
    public static SettingDefinition Get(string name)
        => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new KeyNotFoundException($"'{name}' is not in SettingDefinitions.All");
}
