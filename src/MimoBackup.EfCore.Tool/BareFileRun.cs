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

        // A setting given on the command line applies to this command only, before the environment (as -p: does for the targets).
        var settings = MimoSettings.Resolve(name => request.Settings.GetValueOrDefault(name) ?? context.Environment(name), null, null, folder);
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
}
