using System.CommandLine;
using System.Text;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Tool;

/// <summary>One parsed <c>dotnet mimo</c> command: the verb, its command options, the settings given and how to find the app.</summary>
internal sealed record ToolRequest
{
    // Targets-only properties that are options of the tool: -p:MimoContext=X is --context X.
    private static readonly string[] TargetsOnlyOfTheTool = ["MimoProject", "MimoContext", "MimoDatabase", "MimoNoBuild"];

    public required string Verb { get; init; }

    /// <summary>Command options by their name without <c>Mimo</c> (<c>BackupName</c>), as the runner's <c>--option</c>.</summary>
    public required IReadOnlyDictionary<string, string> Options { get; init; }

    /// <summary>App settings given to this command (<c>--backup-dir</c>, <c>-p:MimoBackupDir=</c>), by setting name; folders made absolute.</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    /// <summary>How each setting was typed, for the hints: <c>--backup-dir ../backups</c>.</summary>
    public required IReadOnlyList<string> TypedSettings { get; init; }

    /// <summary><c>-p:</c> properties that are not the package's: they go to the build.</summary>
    public required IReadOnlyList<string> BuildProperties { get; init; }

    /// <summary>Warnings about the command line itself (MIMO004: an unknown <c>Mimo*</c> property).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    public string? Project { get; init; }
    public string? StartupProject { get; init; }
    public string? Context { get; init; }
    public string? Framework { get; init; }
    public string? Configuration { get; init; }
    public string? Database { get; init; }
    public string? SettingsFile { get; init; }
    public bool NoBuild { get; init; }
    public bool Verbose { get; init; }
    public bool Json { get; init; }
    public bool NoColor { get; init; }

    /// <summary>No project named, and a database file: the production path, in-process on the bare file.</summary>
    public bool OnBareFile => Database is not null && Project is null && StartupProject is null;

    /// <summary>
    /// What the hints printed for this command carry after the verb, besides the projects (which the runner adds in
    /// dotnet-ef's names): the context, the build's configuration and framework, the database and the settings given.
    /// </summary>
    public string HintArguments(string currentDirectory)
    {
        var hint = new StringBuilder();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                hint.Append(' ').Append(name).Append(' ').Append(Invocation.Quoted(value));
            }
        }

        Add("--context", Context);
        Add("--configuration", Configuration);
        Add("--framework", Framework);
        Add("--database", Database is null ? null : Invocation.Display(currentDirectory, Path.GetFullPath(Database, currentDirectory)));
        Add("--settings-file", SettingsFile is null ? null : Invocation.Display(currentDirectory, Path.GetFullPath(SettingsFile, currentDirectory)));
        foreach (var typed in TypedSettings)
        {
            hint.Append(' ').Append(typed);
        }

        return hint.ToString();
    }

    /// <summary>The request of a parse without errors; a MIMO error when a <c>-p:</c> cannot be used.</summary>
    public static ToolRequest From(ParseResult result, ToolVerb verb, ToolOptions options, string currentDirectory)
    {
        var commandOptions = verb.Options(result);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var typed = new List<string>();
        var buildProperties = new List<string>();
        var warnings = new List<string>();
        var named = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var (setting, option) in options.Settings)
        {
            if (result.GetValue(option) is { } value)
            {
                settings[setting.Name] = Typed(setting, value, currentDirectory);
                typed.Add(ToolOptions.OptionName(setting) + " " + Invocation.Quoted(value));
            }
        }

        foreach (var property in result.GetValue(options.Property) ?? [])
        {
            var equals = property.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new MimoBackupException(MimoError.BadCommandUsage, $"'-p:{property}' is not -p:Name=Value");
            }

            var (name, value) = (property[..equals].Trim(), property[(equals + 1)..]);
            if (!name.StartsWith("Mimo", StringComparison.OrdinalIgnoreCase))
            {
                buildProperties.Add(name + "=" + value);
                continue;
            }

            var definition = SettingDefinitions.All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
            switch (definition?.Scope)
            {
                case null:
                    var nearest = SettingDefinitions.All.MinBy(d => EditDistance.Of(d.Name.ToUpperInvariant(), name.ToUpperInvariant()))!.Name;
                    warnings.Add($"warning MIMO004: {name} is not a MimoBackup setting, so it does nothing; did you mean {nearest}?");
                    break;
                case SettingScope.Secret:
                    throw new MimoBackupException(MimoError.EncryptionKeyInvalid, $"the command line (-p:{definition.Name})", "a key on a command line ends up in shell histories: give it in the environment variable or MimoEncryptionKeyFile");
                case SettingScope.App:
                    settings[definition.Name] = Typed(definition, value, currentDirectory);
                    typed.Add($"-p:{definition.Name}={Invocation.Quoted(value)}");
                    break;
                case SettingScope.Command:
                    commandOptions[definition.Name["Mimo".Length..]] = value;
                    break;
                default:
                    if (TargetsOnlyOfTheTool.Contains(definition.Name, StringComparer.Ordinal))
                    {
                        named[definition.Name] = value;
                    }
                    else
                    {
                        warnings.Add($"warning MIMO004: {definition.Name} is a property of the build, not of dotnet mimo, so it does nothing here.");
                    }

                    break;
            }
        }

        if (result.GetValue(options.Json) && verb.PrintsJson)
        {
            commandOptions["Output"] = "json";
        }

        string? Named(string name) => named.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        return new ToolRequest
        {
            Verb = verb.Name,
            Options = commandOptions,
            Settings = settings,
            TypedSettings = typed,
            BuildProperties = buildProperties,
            Warnings = warnings,
            Project = result.GetValue(options.Project) ?? Named("MimoProject"),
            StartupProject = result.GetValue(options.StartupProject),
            Context = result.GetValue(options.Context) ?? Named("MimoContext"),
            Framework = result.GetValue(options.Framework) ?? BuildProperty(buildProperties, "TargetFramework"),
            Configuration = result.GetValue(options.Configuration) ?? BuildProperty(buildProperties, "Configuration"),
            Database = result.GetValue(options.Database) ?? Named("MimoDatabase"),
            SettingsFile = result.GetValue(options.SettingsFile),
            NoBuild = result.GetValue(options.NoBuild) || (Named("MimoNoBuild") is { } noBuild && SettingDefinitions.Get("MimoNoBuild").ParseBool(noBuild)),
            Verbose = result.GetValue(options.Verbose),
            Json = result.GetValue(options.Json),
            NoColor = result.GetValue(options.NoColor),
        };
    }

    /// <summary>
    /// A folder typed on the command line is relative to where it was typed; the runner runs in the project's folder, so
    /// it gets the absolute path.
    /// </summary>
    private static string Typed(SettingDefinition setting, string value, string currentDirectory)
        => setting.Kind == SettingKind.Folder && value.Length > 0 && value.IndexOfAny(['\0', '\n', '\r']) < 0 ? Path.GetFullPath(value, currentDirectory) : value;

    private static string? BuildProperty(IEnumerable<string> properties, string name)
        => properties.Select(p => p.Split('=', 2)).LastOrDefault(p => string.Equals(p[0], name, StringComparison.OrdinalIgnoreCase))?[1];
}
