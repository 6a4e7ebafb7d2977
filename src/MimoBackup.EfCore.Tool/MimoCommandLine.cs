using System.CommandLine;
using System.CommandLine.Help;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tool;

/// <summary>
/// The <c>dotnet mimo</c> command line on System.CommandLine: one command per verb, every verb with the options of
/// <see cref="ToolOptions"/>. Exit codes are the package's (0 done, 1 failed, 2 bad usage, 3 refused, 4 verification
/// failed); a usage error is MIMO209 with exit code 2. Tab completion is System.CommandLine's <c>[suggest]</c>
/// directive, which <c>dotnet-suggest</c> calls.
/// </summary>
internal static class MimoCommandLine
{
    /// <summary>Parses and runs one command line.</summary>
    public static async Task<int> InvokeAsync(IReadOnlyList<string> args, ToolContext context, CancellationToken cancellationToken = default)
    {
        var (root, _, _) = Create(context);
        var result = root.Parse(RewriteProperties(args));
        var configuration = new InvocationConfiguration
        {
            Output = context.Output,
            Error = context.Error,

            // Ctrl+C cancels the command, which stops cleanly (MIMO108, nothing half-written); only a stuck one is ended.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
        };

        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            // "lst" is both an unknown argument and a missing verb: the unknown word is the one worth saying.
            var errors = result.Errors.Count > 1 && result.UnmatchedTokens.Count > 0
                ? result.Errors.Where(e => result.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal))).ToList()
                : [.. result.Errors];
            foreach (var error in errors)
            {
                await context.Error.WriteLineAsync($"error {MimoError.BadCommandUsage.Code}: {error.Message} (dotnet mimo --help lists the verbs and options)").ConfigureAwait(false);
            }

            return (int)MimoExitCode.BadUsage;
        }

        return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The root command with every verb, its options and the action that runs them.</summary>
    internal static (RootCommand Root, IReadOnlyList<ToolVerb> Verbs, ToolOptions Options) Create(ToolContext context)
    {
        var options = new ToolOptions();
        var root = new RootCommand(
            "dotnet mimo: verified SQLite backups of an EF Core app's database, found as dotnet-ef finds it; "
            + "with --database <file> and no project, on a bare database file.");
        foreach (var option in options.All)
        {
            option.Recursive = true;
            root.Options.Add(option);
        }

        var verbs = ToolVerb.All();
        foreach (var verb in verbs)
        {
            verb.Command.SetAction((result, cancellationToken) => RunAsync(result, verb, options, context, cancellationToken));
            root.Subcommands.Add(verb.Command);
        }

        return (root, verbs, options);
    }

    /// <summary>
    /// <c>-p:Name=Value</c> (also <c>/p:</c>, <c>-property:</c>, <c>--property:</c>) as MSBuild takes it becomes
    /// <c>--property Name=Value</c>: the short <c>-p</c> itself is dotnet-ef's <c>--project</c>.
    /// </summary>
    internal static List<string> RewriteProperties(IReadOnlyList<string> args)
    {
        var rewritten = new List<string>(args.Count);
        foreach (var arg in args)
        {
            var colon = arg.IndexOf(':', StringComparison.Ordinal);
            var prefix = colon > 0 ? arg[..colon].ToLowerInvariant() : "";
            if (prefix is "-p" or "/p" or "-property" or "--property" or "/property" && arg.IndexOf('=', colon) > colon)
            {
                rewritten.AddRange(["--property", arg[(colon + 1)..]]);
            }
            else
            {
                rewritten.Add(arg);
            }
        }

        return rewritten;
    }

    private static async Task<int> RunAsync(ParseResult result, ToolVerb verb, ToolOptions options, ToolContext context, CancellationToken cancellationToken)
    {
        var json = result.GetValue(options.Json);
        using var output = new ToolOutput(context, json, result.GetValue(options.NoColor), result.GetValue(options.Verbose));
        MimoExitCode exitCode;
        try
        {
            var request = ToolRequest.From(result, verb, options, context.CurrentDirectory);
            foreach (var warning in request.Warnings)
            {
                output.Warning(default, warning);
            }

            if (request.SettingsFile is not null && !request.OnBareFile)
            {
                throw new MimoBackupException(MimoError.BadCommandUsage,
                    "--settings-file goes with --database on a bare file; in a project the app's build writes and uses its own settings file");
            }

            exitCode = request.OnBareFile
                ? BareFileRun.Run(request, context, output, cancellationToken)
                : await ProjectRun.RunAsync(request, context, output, cancellationToken).ConfigureAwait(false);
        }
        catch (MimoBackupException e)
        {
            output.Error(e);
            exitCode = e.Exit;
        }
        catch (OperationCanceledException e)
        {
            var cancelled = new MimoBackupException(MimoError.Cancelled, e, "the database");
            output.Error(cancelled);
            exitCode = cancelled.Exit;
        }
#pragma warning disable CA1031 // The tool's last line of defence: any failure is one MIMO211 error line and exit code 1.
        catch (Exception e)
#pragma warning restore CA1031
        {
            output.Error(new MimoBackupException(MimoError.Unexpected, e, e.GetType().Name + ": " + e.Message));
            output.Detail(e.ToString());
            exitCode = MimoExitCode.Failed;
        }

        output.Finish(verb.Name, (int)exitCode);
        return (int)exitCode;
    }
}
