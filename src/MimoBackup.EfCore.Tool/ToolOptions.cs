using System.CommandLine;
using System.Text;
using MimoBackup.EfCore.Configuration;

namespace MimoBackup.EfCore.Tool;

/// <summary>
/// The options every verb takes: dotnet-ef's names for finding the app (<c>--project</c>, <c>--startup-project</c>,
/// <c>--context</c>, <c>--framework</c>, <c>--configuration</c>, <c>--no-build</c>) and for output (<c>--verbose</c>,
/// <c>--json</c>, <c>--no-color</c>), <c>--database</c> (with <c>--settings-file</c>), <c>-p:MimoX=value</c>, and one option per app setting of the
/// package's settings table (<c>MimoBackupDir</c> is <c>--backup-dir</c>).
/// </summary>
internal sealed class ToolOptions
{
    public Option<string> Project { get; } = new("--project", "-p") { Description = "The project holding the DbContext and its migrations (a project file or its folder); the current folder's by default.", HelpName = "project" };

    public Option<string> StartupProject { get; } = new("--startup-project", "-s") { Description = "The app project the DbContext is created in, when it is not --project.", HelpName = "project" };

    public Option<string> Context { get; } = new("--context", "-c") { Description = "The DbContext to use, when the app has several.", HelpName = "name" };

    public Option<string> Framework { get; } = new("--framework", "-f") { Description = "The target framework, in a project that has several.", HelpName = "framework" };

    public Option<string> Configuration { get; } = new("--configuration") { Description = "The build configuration (Debug by default).", HelpName = "configuration" };

    public Option<bool> NoBuild { get; } = new("--no-build") { Description = "Do not build the project first: use its last build (and start no MSBuild at all)." };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Show the build's output, the app's own output and the commands started." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print only JSON on standard output." };

    public Option<bool> NoColor { get; } = new("--no-color") { Description = "Do not colour warnings and errors." };

    public Option<string> Database { get; } = new("--database") { Description = "A SQLite database file: alone, the command runs on that bare file (no project, no build); with --project, it overrides the app's.", HelpName = "file" };

    public Option<string> SettingsFile { get; } = new("--settings-file") { Description = "With --database: the settings file of the published app (<App>.mimo.json, which the build writes beside the app); its settings apply below the environment's and the command line's. By default the current folder's one such file, if there is one.", HelpName = "file" };

    /// <summary><c>-p:Name=Value</c>, rewritten to this option before parsing (the short <c>-p</c> is dotnet-ef's <c>--project</c>).</summary>
    public Option<string[]> Property { get; } = new("--property") { Description = "A setting or command option as the MSBuild targets take it: -p:MimoBackupDir=/backups. Other properties go to the build.", HelpName = "Name=Value" };

    /// <summary>One option per app setting of the settings table, with the setting it sets.</summary>
    public IReadOnlyList<(SettingDefinition Setting, Option<string> Option)> Settings { get; } = [.. SettingDefinitions.All.Where(d => d.Scope == SettingScope.App).Select(d => (d, SettingOption(d)))];

    public IEnumerable<Option> All => [Project, StartupProject, Context, Framework, Configuration, NoBuild, Verbose, Json, NoColor, Database, SettingsFile, Property, .. Settings.Select(s => s.Option)];

    /// <summary><c>MimoBackupDir</c> → <c>--backup-dir</c>: the name without <c>Mimo</c>, in kebab case.</summary>
    public static string OptionName(SettingDefinition setting)
    {
        var name = setting.Name["Mimo".Length..];
        var kebab = new StringBuilder("-");
        foreach (var c in name)
        {
            if (char.IsUpper(c))
            {
                kebab.Append('-');
            }

            kebab.Append(char.ToLowerInvariant(c));
        }

        return kebab.ToString();
    }

    private static Option<string> SettingOption(SettingDefinition setting)
    {
        var option = new Option<string>(OptionName(setting))
        {
            Description = $"Setting {setting.Name} for this command only: {setting.Description.Replace("`", "", StringComparison.Ordinal)}.",
            HelpName = setting.Kind switch
            {
                SettingKind.Bool => "true|false",
                SettingKind.Int => "n",
                SettingKind.Enum => string.Join('|', setting.Values),
                SettingKind.Folder => "path",
                _ => "value",
            },
        };
        if (setting.Kind == SettingKind.Bool)
        {
            option.CompletionSources.Add("true", "false");
        }
        else if (setting.Kind == SettingKind.Enum)
        {
            option.CompletionSources.Add([.. setting.Values]);
        }

        return option;
    }
}
