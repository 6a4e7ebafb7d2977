using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Tool;

/// <summary>
/// <c>dotnet mimo &lt;verb&gt; --database app.db</c> with no project: the production path. The commands run in this
/// process on the bare file, with the tool's own SQLite, so a host with only the .NET runtime and the tool — no SDK, no
/// source, no build — can back up, list, check, restore, prune, export and import.
/// </summary>
internal static class BareFileRun
{
    // File names the user typed: relative to where they were typed (a restore source may also be a backup's name).
    private static readonly string[] TypedFiles = ["ExportFile", "ImportFile"];

    public static MimoExitCode Run(ToolRequest request, ToolContext context, ToolOutput output, CancellationToken cancellationToken)
    {
        if (request.Verb == "plan")
        {
            throw new MimoBackupException(MimoError.BadCommandUsage,
                "plan needs the app's migrations, which a bare database file does not have: run it in the app's project folder (or give --project) without --database");
        }

        var folder = context.CurrentDirectory;
        Invocation.Set(folder, null, null, FrontEnd.DotnetMimo, request.HintArguments(folder));
        var database = Path.GetFullPath(request.Database!, folder);

        // A setting given on the command line applies to this command only, before the environment (as -p: does for the
        // targets); the published app's settings file comes after both, as the build's file does for the app itself.
        var settingsFile = SettingsFile(request, folder);
        if (settingsFile is not null)
        {
            // Always said: a file found in the folder can name a backup folder, a remote and a notify command.
            output.Explain("Using the settings of " + Invocation.Display(folder, settingsFile.Path));
        }

        var settings = MimoSettings.Resolve(name => request.Settings.GetValueOrDefault(name) ?? context.Environment(name), settingsFile, null, folder);
        var options = new Dictionary<string, string>(request.Options, StringComparer.Ordinal);
        foreach (var name in TypedFiles)
        {
            if (options.TryGetValue(name, out var file))
            {
                options[name] = Path.GetFullPath(file, folder);
            }
        }

        if (options.TryGetValue("RestoreFrom", out var from) && (from.Contains('/', StringComparison.Ordinal) || from.Contains('\\', StringComparison.Ordinal) || File.Exists(Path.GetFullPath(from, folder))))
        {
            options["RestoreFrom"] = Path.GetFullPath(from, folder);
        }

        output.Begin(request.Verb);
        return ManualCommands.Run(request.Verb, CommandTarget.ForFile(database, settings), new CommandOptions(options), output, TimeProvider.System, cancellationToken);
    }

    /// <summary>The file <c>--settings-file</c> names, or the current folder's one <c>*.mimo.json</c> (none when it has none).</summary>
    internal static BuildSettingsFile? SettingsFile(ToolRequest request, string folder)
    {
        if (request.SettingsFile is { } named)
        {
            var path = Path.GetFullPath(named, folder);
            return Directory.Exists(path)
                ? throw new MimoBackupException(MimoError.BadCommandUsage, $"'{named}' is a folder: --settings-file takes the <App>{BuildSettingsFile.Suffix} file in it")
                : BuildSettingsFile.TryLoad(path) ?? throw new MimoBackupException(MimoError.BadCommandUsage, $"the settings file '{named}' does not exist");
        }

        var found = Directory.GetFiles(folder, "*" + BuildSettingsFile.Suffix).Order(StringComparer.Ordinal).ToList();
        return found.Count switch
        {
            0 => null,
            1 => BuildSettingsFile.TryLoad(found[0]),
            _ => throw new MimoBackupException(MimoError.BadCommandUsage,
                $"this folder holds the settings files of several apps ({string.Join(", ", found.Select(Path.GetFileName))}): name the one that applies with --settings-file"),
        };
    }
}
