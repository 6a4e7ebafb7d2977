using System.Text.Json;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Configuration;

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
    public string? Remote { get; init; }
    public string? EncryptionKeyFile { get; init; }
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
    // Names the messages elsewhere print; the table holds them.
    public static string EnabledName => SettingDefinitions.Enabled.Name;
    public static string SkipBackupName => SettingDefinitions.SkipBackup.Name;
    public static string MirrorDirName => SettingDefinitions.MirrorDir.Name;
    public static string RehearseName => SettingDefinitions.Rehearse.Name;

    public bool Enabled { get; init; } = SettingDefinitions.Enabled.DefaultBool;
    public SettingSource EnabledSource { get; init; }

    /// <summary>Absolute folder, or null for <c>&lt;database folder&gt;/backups</c>.</summary>
    public string? BackupDir { get; init; }

    public bool SkipBackup { get; init; }
    public SettingSource SkipSource { get; init; }

    /// <summary>The build that asked for the skip, when the skip came from MSBuild: it is honoured once.</summary>
    public string? SkipBuildId { get; init; }

    public MimoVerification Verify { get; init; } = SettingDefinitions.Verify.DefaultEnum<MimoVerification>();

    public int FreshBackupMinutes { get; init; } = SettingDefinitions.FreshBackupMinutes.DefaultInt;

    public int RetentionDays { get; init; } = SettingDefinitions.RetentionDays.DefaultInt;

    public int RetentionMonths { get; init; } = SettingDefinitions.RetentionMonths.DefaultInt;

    /// <summary>Prune (SPEC §6) after every automatic backup.</summary>
    public bool AutoPrune { get; init; } = SettingDefinitions.AutoPrune.DefaultBool;

    /// <summary>Absolute folder every verified backup is copied to, or null for none.</summary>
    public string? MirrorDir { get; init; }

    /// <summary>Print a notification line for every backup, skip, refusal, restore and prune.</summary>
    public bool NotifyOnBackup { get; init; } = SettingDefinitions.NotifyOnBackup.DefaultBool;

    /// <summary>A shell command that receives each event as JSON on standard input, or null for none.</summary>
    public string? NotifyCommand { get; init; }

    /// <summary>Run the pending migrations on a copy of the verified backup before the live database (SPEC §10).</summary>
    public bool Rehearse { get; init; } = SettingDefinitions.Rehearse.DefaultBool;

    /// <summary>The object storage every verified backup is uploaded to (<c>MimoRemote</c>), or null for none.</summary>
    public RemoteAddress? Remote { get; init; }

    /// <summary>The absolute path of <c>MimoEncryptionKeyFile</c>, or null.</summary>
    public string? EncryptionKeyFile { get; init; }

    /// <summary>
    /// The key remote copies are encrypted with (<c>MimoEncryptionKey</c> from the environment, else the key file), or
    /// null to upload them as they are. Read only when <see cref="Remote"/> is set: local backups stay plain.
    /// </summary>
    public EncryptionKey? EncryptionKey { get; init; }

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

        var (enabled, enabledSource) = Pick(SettingDefinitions.Enabled, environment, build, code.Enabled, Bool);
        var (skip, skipSource) = Pick(SettingDefinitions.SkipBackup, environment, build, code.SkipBackup, Bool);
        var (verify, _) = Pick(SettingDefinitions.Verify, environment, build, code.Verify, (d, v) => d.ParseEnum<MimoVerification>(v));
        var (fresh, _) = Pick(SettingDefinitions.FreshBackupMinutes, environment, build, code.FreshBackupMinutes, Int);
        var (days, _) = Pick(SettingDefinitions.RetentionDays, environment, build, code.RetentionDays, Int);
        var (months, _) = Pick(SettingDefinitions.RetentionMonths, environment, build, code.RetentionMonths, Int);
        var (autoPrune, _) = Pick(SettingDefinitions.AutoPrune, environment, build, code.AutoPrune, Bool);
        var (notify, _) = Pick(SettingDefinitions.NotifyOnBackup, environment, build, code.NotifyOnBackup, Bool);
        var (rehearse, _) = Pick(SettingDefinitions.Rehearse, environment, build, code.Rehearse, Bool);
        var (command, _) = PickText(SettingDefinitions.NotifyCommand, environment, build, code.NotifyCommand, (d, v) => d.ParseText(v));
        var (dir, dirSource) = PickText(SettingDefinitions.BackupDir, environment, build, code.BackupDir, (d, v) => d.ParseFolder(v));
        var (mirror, mirrorSource) = PickText(SettingDefinitions.MirrorDir, environment, build, code.MirrorDir, (d, v) => d.ParseFolder(v));
        var (remote, _) = PickText(SettingDefinitions.Remote, environment, build, code.Remote, (d, v) => RemoteAddress.Parse(v, d.Name).Text);
        var (keyFile, keyFileSource) = PickText(SettingDefinitions.EncryptionKeyFile, environment, build, code.EncryptionKeyFile, (d, v) => d.ParseFolder(v));

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
            Remote = remote is null ? null : RemoteAddress.Parse(remote),
            EncryptionKeyFile = Absolute(keyFile, keyFileSource),

            // The key is a secret: only the environment gives it (a project file's value is refused by the targets).
            EncryptionKey = remote is null ? null : Engine.EncryptionKey.From(environment(SettingDefinitions.EncryptionKey.Name), Absolute(keyFile, keyFileSource)),
        };
    }

    public static MimoSettings FromProcess(IEnumerable<System.Reflection.Assembly?> appAssemblies, CodeSettings? code)
        => Resolve(Environment.GetEnvironmentVariable, BuildSettingsFile.Find(appAssemblies), code, Directory.GetCurrentDirectory());

    private static bool Bool(SettingDefinition definition, string value) => definition.ParseBool(value);

    private static int Int(SettingDefinition definition, string value) => definition.ParseInt(value);

    /// <summary>The value of a setting that has a default: environment, else settings file, else code, else the table's default.</summary>
    private static (T Value, SettingSource Source) Pick<T>(
        SettingDefinition definition,
        Func<string, string?> environment,
        BuildSettingsFile? build,
        T? codeValue,
        Func<SettingDefinition, string, T> parse)
        where T : struct
        => Find(definition, environment, build, parse) is { } found ? (found.Value, found.Source)
            : codeValue is { } code ? (code, SettingSource.Code)
            : (parse(definition, definition.Default!), SettingSource.Default);

    /// <summary>The value of a setting that is unset by default (a folder, a command).</summary>
    private static (string? Value, SettingSource Source) PickText(
        SettingDefinition definition,
        Func<string, string?> environment,
        BuildSettingsFile? build,
        string? codeValue,
        Func<SettingDefinition, string, string> parse)
        => Find(definition, environment, build, parse) is { } found ? (found.Value, found.Source)
            : codeValue is not null ? (codeValue, SettingSource.Code)
            : (null, SettingSource.Default);

    private static (T Value, SettingSource Source)? Find<T>(
        SettingDefinition definition,
        Func<string, string?> environment,
        BuildSettingsFile? build,
        Func<SettingDefinition, string, T> parse)
    {
        var fromEnvironment = environment(definition.Name);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return (parse(definition, fromEnvironment.Trim()), SettingSource.Environment);
        }

        if (build is not null && build.Values.TryGetValue(definition.Name, out var fromBuild))
        {
            return (parse(definition, fromBuild), SettingSource.MSBuild);
        }

        return null;
    }
}
