using System.Globalization;
using System.Text.Json;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Internal;

/// <summary>Where a setting's value came from, for messages and the audit log.</summary>
internal enum SettingSource
{
    Default,
    Code,
    MSBuild,
    Environment,
}

/// <summary>Values set in code through <c>UseMimoBackup(o => ...)</c>; null means not set.</summary>
internal sealed record CodeSettings
{
    public bool? Enabled { get; init; }
    public string? BackupDir { get; init; }
    public bool? SkipBackup { get; init; }
    public MimoVerification? Verify { get; init; }
    public int? FreshBackupMinutes { get; init; }
    public int? RetentionDays { get; init; }
    public int? RetentionMonths { get; init; }
    public bool? AutoPrune { get; init; }
    public string? MirrorDir { get; init; }
    public bool? NotifyOnBackup { get; init; }
    public string? NotifyCommand { get; init; }
    public bool? Rehearse { get; init; }
}

/// <summary>The settings file the package's build targets write beside the app assembly.</summary>
internal sealed record BuildSettingsFile(string Path, string? BuildId, IReadOnlyDictionary<string, string> Values)
{
    public const string Suffix = ".mimo.json";

    public static BuildSettingsFile? TryLoad(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;

            // Format 2 percent-encodes every value: MSBuild cannot write backslashes or ';' into a file as they are.
            var encoded = root.TryGetProperty("formatVersion", out var format) && format.TryGetInt32(out var version) && version >= 2;
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("settings", out var settings))
            {
                foreach (var property in settings.EnumerateObject())
                {
                    // The targets write every known property; an empty one was simply not set.
                    var value = property.Value.GetString() is { } text && encoded ? Uri.UnescapeDataString(text) : property.Value.GetString();
                    if (!string.IsNullOrWhiteSpace(value))
                    {
                        values[property.Name] = value.Trim();
                    }
                }
            }

            var buildId = root.TryGetProperty("buildId", out var id) ? id.GetString() : null;
            return new BuildSettingsFile(path, string.IsNullOrEmpty(buildId) ? null : buildId, values);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            throw new MimoBackupException(MimoError.SettingsFileUnreadable, e, path, e.Message);
        }
    }

    /// <summary>Finds the file of the first assembly that has one, beside the assembly or the app's base folder.</summary>
    public static BuildSettingsFile? Find(IEnumerable<System.Reflection.Assembly?> assemblies)
    {
        foreach (var assembly in assemblies)
        {
            if (assembly is null)
            {
                continue;
            }

            var name = assembly.GetName().Name + Suffix;
            // Single-file bundles have no assembly location: their files sit beside the executable.
            string?[] folders = [string.IsNullOrEmpty(assembly.Location) ? null : System.IO.Path.GetDirectoryName(assembly.Location), AppContext.BaseDirectory];
            foreach (var folder in folders)
            {
                if (folder is not null && TryLoad(System.IO.Path.Combine(folder, name)) is { } file)
                {
                    return file;
                }
            }
        }

        return null;
    }
}

/// <summary>
/// The effective settings of SPEC §8, resolved with the precedence environment &gt; MSBuild &gt; code &gt; default.
/// </summary>
internal sealed record MimoSettings
{
    public const string EnabledName = "MimoBackupEnabled";
    public const string BackupDirName = "MimoBackupDir";
    public const string SkipBackupName = "MimoSkipBackup";
    public const string VerifyName = "MimoVerify";
    public const string FreshBackupMinutesName = "MimoFreshBackupMinutes";
    public const string RetentionDaysName = "MimoRetentionDays";
    public const string RetentionMonthsName = "MimoRetentionMonths";
    public const string AutoPruneName = "MimoAutoPrune";
    public const string MirrorDirName = "MimoMirrorDir";
    public const string NotifyOnBackupName = "MimoNotifyOnBackup";
    public const string NotifyCommandName = "MimoNotifyCommand";
    public const string RehearseName = "MimoRehearse";

    public bool Enabled { get; init; } = true;
    public SettingSource EnabledSource { get; init; }

    /// <summary>Absolute folder, or null for <c>&lt;database folder&gt;/backups</c>.</summary>
    public string? BackupDir { get; init; }

    public bool SkipBackup { get; init; }
    public SettingSource SkipSource { get; init; }

    /// <summary>The build that asked for the skip, when the skip came from MSBuild: it is honoured once.</summary>
    public string? SkipBuildId { get; init; }

    public MimoVerification Verify { get; init; } = MimoVerification.Full;

    public int FreshBackupMinutes { get; init; } = 15;

    public int RetentionDays { get; init; } = 30;

    public int RetentionMonths { get; init; } = 12;

    /// <summary>Prune (SPEC §6) after every automatic backup.</summary>
    public bool AutoPrune { get; init; } = true;

    /// <summary>Absolute folder every verified backup is copied to, or null for none.</summary>
    public string? MirrorDir { get; init; }

    /// <summary>Print a notification line for every backup, skip, refusal, restore and prune.</summary>
    public bool NotifyOnBackup { get; init; } = true;

    /// <summary>A shell command that receives each event as JSON on standard input, or null for none.</summary>
    public string? NotifyCommand { get; init; }

    /// <summary>Run the pending migrations on a copy of the verified backup before the live database (SPEC §10).</summary>
    public bool Rehearse { get; init; } = true;

    public RetentionPolicy Retention => new(RetentionDays, RetentionMonths);

    /// <summary>The settings file that was read, if any.</summary>
    public string? SettingsFilePath { get; init; }

    /// <summary>Where the backups of <paramref name="database"/> go: <c>MimoBackupDir</c>, else <c>backups/</c> beside it (SPEC §4).</summary>
    public string BackupFolderFor(string database)
        => BackupDir ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(database))!, "backups");

    public static MimoSettings Resolve(
        Func<string, string?> environment,
        BuildSettingsFile? build,
        CodeSettings? code,
        string currentDirectory)
    {
        code ??= new CodeSettings();
        var settings = new MimoSettings { SettingsFilePath = build?.Path };

        var (enabled, enabledSource) = Pick(EnabledName, environment, build, code.Enabled.HasValue, code.Enabled.GetValueOrDefault(), true, ParseBool);
        var (skip, skipSource) = Pick(SkipBackupName, environment, build, code.SkipBackup.HasValue, code.SkipBackup.GetValueOrDefault(), false, ParseBool);
        var (verify, _) = Pick(VerifyName, environment, build, code.Verify.HasValue, code.Verify.GetValueOrDefault(), MimoVerification.Full, ParseVerify);
        var (fresh, _) = Pick(FreshBackupMinutesName, environment, build, code.FreshBackupMinutes.HasValue, code.FreshBackupMinutes.GetValueOrDefault(), 15, ParseMinutes);
        var (days, _) = Pick(RetentionDaysName, environment, build, code.RetentionDays.HasValue, code.RetentionDays.GetValueOrDefault(), 30, ParseRetentionDays);
        var (months, _) = Pick(RetentionMonthsName, environment, build, code.RetentionMonths.HasValue, code.RetentionMonths.GetValueOrDefault(), 12, ParseRetentionMonths);
        var (autoPrune, _) = Pick(AutoPruneName, environment, build, code.AutoPrune.HasValue, code.AutoPrune.GetValueOrDefault(), true, ParseBool);
        var (notify, _) = Pick(NotifyOnBackupName, environment, build, code.NotifyOnBackup.HasValue, code.NotifyOnBackup.GetValueOrDefault(), true, ParseBool);
        var (rehearse, _) = Pick(RehearseName, environment, build, code.Rehearse.HasValue, code.Rehearse.GetValueOrDefault(), true, ParseBool);
        var (command, _) = Pick<string?>(NotifyCommandName, environment, build, code.NotifyCommand is not null, code.NotifyCommand, null, ParseCommand);
        var (dir, dirSource) = Pick<string?>(BackupDirName, environment, build, code.BackupDir is not null, code.BackupDir, null, ParseFolder);
        var (mirror, mirrorSource) = Pick<string?>(MirrorDirName, environment, build, code.MirrorDir is not null, code.MirrorDir, null, ParseFolder);

        // MSBuild paths were made absolute by the targets; others are relative to where the command runs.
        string? Absolute(string? folder, SettingSource source) => folder is null ? null : Path.GetFullPath(folder, source == SettingSource.MSBuild && build is not null
            ? Path.GetDirectoryName(build.Path)!
            : currentDirectory);

        return settings with
        {
            Enabled = enabled,
            EnabledSource = enabledSource,
            SkipBackup = skip,
            SkipSource = skipSource,
            SkipBuildId = skip && skipSource == SettingSource.MSBuild ? build?.BuildId : null,
            Verify = verify,
            FreshBackupMinutes = fresh,
            BackupDir = Absolute(dir, dirSource),
            RetentionDays = days,
            RetentionMonths = months,
            AutoPrune = autoPrune,
            MirrorDir = Absolute(mirror, mirrorSource),
            NotifyOnBackup = notify,
            NotifyCommand = command,
            Rehearse = rehearse,
        };
    }

    public static MimoSettings FromProcess(IEnumerable<System.Reflection.Assembly?> appAssemblies, CodeSettings? code)
        => Resolve(Environment.GetEnvironmentVariable, BuildSettingsFile.Find(appAssemblies), code, Directory.GetCurrentDirectory());

    private static (T Value, SettingSource Source) Pick<T>(
        string name,
        Func<string, string?> environment,
        BuildSettingsFile? build,
        bool hasCode,
        T codeValue,
        T fallback,
        Func<string, string, T> parse)
    {
        var fromEnvironment = environment(name);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return (parse(name, fromEnvironment.Trim()), SettingSource.Environment);
        }

        if (build is not null && build.Values.TryGetValue(name, out var fromBuild))
        {
            return (parse(name, fromBuild), SettingSource.MSBuild);
        }

        return hasCode ? (codeValue, SettingSource.Code) : (fallback, SettingSource.Default);
    }

    internal static bool ParseBool(string name, string value)
        => value.ToUpperInvariant() switch
        {
            "TRUE" => true,
            "FALSE" => false,
            _ => throw new MimoBackupException(MimoError.InvalidSetting, name, value, "true, false"),
        };

    internal static MimoVerification ParseVerify(string name, string value)
        => value.ToUpperInvariant() switch
        {
            "FULL" => MimoVerification.Full,
            "QUICK" => MimoVerification.Quick,
            _ => throw new MimoBackupException(MimoError.InvalidSetting, name, value, "full, quick"),
        };

    internal static int ParseMinutes(string name, string value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes is > 0 and <= 525_600
            ? minutes
            : throw new MimoBackupException(MimoError.InvalidSetting, name, value, "a whole number of minutes from 1 to 525600");

    internal static int ParseRetentionDays(string name, string value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 36_500
            ? days
            : throw new MimoBackupException(MimoError.InvalidSetting, name, value, "a whole number of days from 1 to 36500");

    internal static int ParseRetentionMonths(string name, string value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var months) && months is >= 0 and <= 1200
            ? months
            : throw new MimoBackupException(MimoError.InvalidSetting, name, value, "a whole number of months from 0 to 1200");

    internal static string ParseCommand(string name, string value)
        => value.Contains('\0', StringComparison.Ordinal)
            ? throw new MimoBackupException(MimoError.InvalidSetting, name, value.Replace("\0", "\\0", StringComparison.Ordinal), "a shell command")
            : value;

    internal static string ParseFolder(string name, string value)
        => value.IndexOfAny(['\0', '\n', '\r']) < 0
            ? value
            : throw new MimoBackupException(MimoError.InvalidSetting, name, value.ReplaceLineEndings(" "), "a folder path");
}
