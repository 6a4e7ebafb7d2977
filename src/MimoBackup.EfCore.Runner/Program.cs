using System.Diagnostics;
using System.Globalization;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Runner;

/// <summary>
/// <c>runner &lt;verb&gt; [--assembly app.dll] [--project file] [--root-namespace ns] [--context name]
/// [--database file] [--front-end dotnet-mimo --hint-arguments "…"] [--option Name=Value]…</c>. Every line it prints starts with <c>info:</c>, <c>warn:</c> or
/// <c>error:MIMOnnn:</c> for the MSBuild task to turn into messages, warnings and errors.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var output = new ProtocolOutput(Console.Out);
        try
        {
            var arguments = RunnerArguments.Parse(args);
            output.ReportsProgress = arguments.FrontEnd == FrontEnd.DotnetMimo;
            Invocation.Set(arguments.WorkingDirectory ?? Directory.GetCurrentDirectory(), arguments.ProjectFile, arguments.ContextProject, arguments.FrontEnd, arguments.HintArguments);
            arguments = arguments.ResolvedWhereTyped();
            using var cancellation = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cancellation.Cancel();
            };

            var target = arguments.AppAssembly is null
                ? CommandTarget.ForFile(
                    arguments.Database ?? throw new MimoBackupException(MimoError.BadCommandUsage, "the runner needs --assembly or --database"),
                    MimoSettings.FromProcess([], null))
                : AppContextTarget.Create(arguments, output);
            return (int)ManualCommands.Run(arguments.Verb, target, new CommandOptions(arguments.Options), output, TimeProvider.System, cancellation.Token);
        }
        catch (MimoBackupException e)
        {
            output.Error(e);
            return e.ExitCode;
        }
        catch (OperationCanceledException e)
        {
            var cancelled = new MimoBackupException(MimoError.Cancelled, e, "the database");
            output.Error(cancelled);
            return cancelled.ExitCode;
        }
#pragma warning disable CA1031 // The runner's last line of defence: any failure must reach MSBuild as an error line.
        catch (Exception e)
#pragma warning restore CA1031
        {
            output.Error(new MimoBackupException(MimoError.Unexpected, e, e.GetType().Name + ": " + e.Message));
            ((ICommandOutput)output).Warning(e.ToString());
            return (int)MimoExitCode.Failed;
        }
    }
}

/// <summary>The runner's command line.</summary>
internal sealed record RunnerArguments(
    string Verb,
    string? AppAssembly,
    string? ProjectFile,
    string? RootNamespace,
    string? Context,
    string? Database,
    string? WorkingDirectory,
    string? ContextAssembly,
    string? ContextProject,
    IReadOnlyDictionary<string, string> Options)
{
    /// <summary>Whose commands the hints are: <c>--front-end dotnet-mimo</c> from the tool, the MSBuild targets otherwise.</summary>
    public FrontEnd FrontEnd { get; init; }

    /// <summary>What the tool's hints carry after the verb besides the projects (<see cref="Invocation.ToolArguments"/>).</summary>
    public string? HintArguments { get; init; }

    // Options that name files the user typed; a restore source may also be a backup's name.
    private static readonly string[] TypedFiles = ["ExportFile", "ImportFile"];

    /// <summary>
    /// The runner runs in the project's folder, as ef.dll does; file names typed on the command line are made
    /// absolute against the folder they were typed in before any command sees them.
    /// </summary>
    public RunnerArguments ResolvedWhereTyped()
    {
        var options = new Dictionary<string, string>(Options, StringComparer.Ordinal);
        foreach (var name in TypedFiles)
        {
            if (options.TryGetValue(name, out var file) && file.Length > 0)
            {
                options[name] = Invocation.FullPath(file);
            }
        }

        if (options.TryGetValue("RestoreFrom", out var from) && from.Length > 0
            && (from.Contains('/', StringComparison.Ordinal) || from.Contains('\\', StringComparison.Ordinal) || File.Exists(Invocation.FullPath(from))))
        {
            options["RestoreFrom"] = Invocation.FullPath(from);
        }

        return this with { Database = Database is null ? null : Invocation.FullPath(Database), Options = options };
    }

    public static RunnerArguments Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || !ManualCommands.Verbs.Contains(args[0]))
        {
            throw new MimoBackupException(MimoError.BadCommandUsage, $"the first argument must be one of {string.Join(", ", ManualCommands.Verbs)}");
        }

        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count || !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new MimoBackupException(MimoError.BadCommandUsage, $"'{args[i]}' is not an option with a value");
            }

            if (args[i] == "--option")
            {
                var pair = args[i + 1];
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new MimoBackupException(MimoError.BadCommandUsage, $"'--option {pair}' is not Name=Value");
                }

                options[pair[..equals]] = pair[(equals + 1)..];
            }
            else
            {
                named[args[i][2..]] = args[i + 1];
            }
        }

        string? Named(string name) => named.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        return new RunnerArguments(args[0], Named("assembly"), Named("project"), Named("root-namespace"), Named("context"), Named("database"), Named("working-dir"), Named("context-assembly"), Named("context-project"), options)
        {
            FrontEnd = Named("front-end") == "dotnet-mimo" ? FrontEnd.DotnetMimo : FrontEnd.MSBuildTargets,
            HintArguments = Named("hint-arguments"),
        };
    }
}

/// <summary>
/// Prefixed lines on standard output, one per line of text. For the tool, also <c>progress:unit:done:total:activity</c>
/// lines, at most ten a second for one activity, which the tool draws as its progress bar; the MSBuild targets' log never gets them.
/// </summary>
internal sealed class ProtocolOutput(TextWriter writer) : ICommandOutput, IWorkProgress
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private string? _lastActivity;

    /// <summary>Whether progress lines are written: only the tool reads them.</summary>
    public bool ReportsProgress { get; set; }

    public void Report(string activity, long done, long total, WorkUnit unit)
    {
        lock (_lock)
        {
            // A new activity and the end of one always go; in between, ten lines a second are plenty for a bar.
            if (!ReportsProgress || (_sinceProgress.Elapsed < ProgressInterval && (total <= 0 || done < total) && activity == _lastActivity))
            {
                return;
            }

            _lastActivity = activity;
            _sinceProgress.Restart();
        }

        Write(string.Create(CultureInfo.InvariantCulture, $"progress:{unit}:{done}:{total}:"), activity);
    }

    public void Information(Microsoft.Extensions.Logging.EventId id, string line) => Write("info:", line);

    public void Warning(Microsoft.Extensions.Logging.EventId id, string line) => Write("warn:", line);

    public void Error(MimoBackupException error)
    {
        var text = error.Message;
        var code = error.Error.Code;
        text = text.StartsWith(code + ": ", StringComparison.Ordinal) ? text[(code.Length + 2)..] : text;
        Write(string.Create(CultureInfo.InvariantCulture, $"error:{code}:{(int)error.ExitCode}:"), text);
    }

    private void Write(string prefix, string text)
    {
        // Lines come from more than one thread (a verification hashes while SQLite checks integrity).
        lock (_lock)
        {
            foreach (var line in text.Split('\n'))
            {
                writer.WriteLine(prefix + line.TrimEnd('\r'));
            }

            writer.Flush();
        }
    }
}
