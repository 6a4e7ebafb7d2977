using System.Globalization;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace MimoBackup.EfCore.Tasks;

/// <summary>
/// Runs one manual operation (backup, list, restore, verify, status) with the app's deps.json and runtimeconfig,
/// the way dotnet-ef runs ef.dll, and reports its lines: <c>info:</c> as high-importance messages,
/// <c>warn:</c> as warnings and <c>error:MIMOnnn:exit:</c> as errors with their MIMO code.
/// </summary>
public sealed class MimoRun : ToolTask
{
    private readonly List<string> _report = [];

    /// <summary>The operation: backup, list, restore, verify or status.</summary>
    [Required]
    public string Verb { get; set; } = "";

    /// <summary>The runner assembly shipped in the package.</summary>
    [Required]
    public string RunnerPath { get; set; } = "";

    /// <summary>The app assembly (<c>$(TargetPath)</c>).</summary>
    [Required]
    public string AppAssembly { get; set; } = "";

    /// <summary>The app's <c>.deps.json</c>.</summary>
    [Required]
    public string DepsFile { get; set; } = "";

    /// <summary>The app's <c>.runtimeconfig.json</c>.</summary>
    [Required]
    public string RuntimeConfig { get; set; } = "";

    /// <summary>NuGet package folders, where the deps.json's packages are found.</summary>
    public string[] ProbingPaths { get; set; } = [];

    /// <summary>The project file, for EF's design-time services.</summary>
    public string? ProjectFile { get; set; }

    /// <summary>The assembly holding the DbContext when it is not the app's (dotnet-ef's <c>--project</c>), from the app's output.</summary>
    public string? ContextAssembly { get; set; }

    /// <summary>The project file of <see cref="ContextAssembly"/>.</summary>
    public string? ContextProjectFile { get; set; }

    /// <summary>The app's root namespace.</summary>
    public string? RootNamespace { get; set; }

    /// <summary><c>MimoContext</c>: which DbContext, when the app has several.</summary>
    public string? Context { get; set; }

    /// <summary><c>MimoDatabase</c>: an explicit database file.</summary>
    public string? Database { get; set; }

    /// <summary>The operation's options: item spec is the name (without <c>Mimo</c>), metadata <c>Value</c> the value.</summary>
    public ITaskItem[] Options { get; set; } = [];

    /// <summary>
    /// The package's settings: those given to this command as <c>-p:</c> reach the runner as its environment, since the
    /// build's settings file holds only project-file values (and is not rewritten with <c>MimoNoBuild=true</c>).
    /// </summary>
    public string[] SettingNames { get; set; } = [];

    /// <summary>Where the runner runs: the project's folder, as dotnet-ef runs ef.dll, so connection strings and appsettings.json resolve alike.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Where the user typed the command: typed file names are relative to it, and printed paths and hints are made for it.</summary>
    public string? InvocationDirectory { get; set; }

    /// <summary>The runner's exit code: 0 done, 1 failed, 2 bad usage, 3 refused, 4 verification failed.</summary>
    [Output]
    public int RunnerExitCode { get; private set; }

    /// <inheritdoc />
    protected override string ToolName => OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

    /// <inheritdoc />
    protected override Encoding StandardOutputEncoding => Encoding.UTF8;

    /// <inheritdoc />
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;

    /// <inheritdoc />
    protected override string GenerateFullPathToTool()
    {
        // The dotnet CLI tells MSBuild which host started it: the runner then uses the same SDK and runtimes.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, ToolName))
            .FirstOrDefault(File.Exists) ?? ToolName;
    }

    /// <inheritdoc />
    protected override string? GetWorkingDirectory() => string.IsNullOrEmpty(WorkingDirectory) ? base.GetWorkingDirectory() : WorkingDirectory;

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder();
        builder.AppendSwitch("exec");
        builder.AppendSwitchIfNotNull("--depsfile ", DepsFile);
        builder.AppendSwitchIfNotNull("--runtimeconfig ", RuntimeConfig);
        foreach (var folder in ProbingPaths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.TrimEnd('/', '\\')).Distinct())
        {
            builder.AppendSwitchIfNotNull("--additionalprobingpath ", folder);
        }

        builder.AppendFileNameIfNotNull(RunnerPath);
        builder.AppendSwitch(Verb);
        builder.AppendSwitchIfNotNull("--assembly ", AppAssembly);
        builder.AppendSwitchIfNotNull("--project ", ProjectFile);
        builder.AppendSwitchIfNotNull("--context-assembly ", NullIfEmpty(ContextAssembly));
        builder.AppendSwitchIfNotNull("--context-project ", NullIfEmpty(ContextProjectFile));
        builder.AppendSwitchIfNotNull("--root-namespace ", NullIfEmpty(RootNamespace));
        builder.AppendSwitchIfNotNull("--context ", NullIfEmpty(Context));
        builder.AppendSwitchIfNotNull("--database ", NullIfEmpty(Database));
        builder.AppendSwitchIfNotNull("--working-dir ", NullIfEmpty(InvocationDirectory));
        foreach (var option in Options)
        {
            var value = option.GetMetadata("Value");
            if (!string.IsNullOrEmpty(value))
            {
                builder.AppendSwitchIfNotNull("--option ", option.ItemSpec + "=" + value);
            }
        }

        return builder.ToString();
    }

    /// <inheritdoc />
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (singleLine.StartsWith("info:", StringComparison.Ordinal))
        {
            _report.Add(singleLine["info:".Length..]);
            Log.LogMessage(MessageImportance.High, "{0}", singleLine["info:".Length..]);
        }
        else if (singleLine.StartsWith("warn:", StringComparison.Ordinal))
        {
            Log.LogWarning(null, null, null, null, 0, 0, 0, 0, "{0}", singleLine["warn:".Length..]);
        }
        else if (singleLine.StartsWith("error:", StringComparison.Ordinal))
        {
            // error:MIMO203:4:message
            var parts = singleLine.Split(':', 4);
            var (code, exit, message) = parts.Length == 4 ? (parts[1], parts[2], parts[3]) : (null, null, singleLine["error:".Length..]);
            Log.LogError(null, code, null, null, 0, 0, 0, 0, "{0}", exit is null or "1" ? message : $"{message} (exit code {exit})");
        }
        else
        {
            // The app's own output while its context is created (a host builder's logging, say).
            Log.LogMessage(MessageImportance.Normal, "{0}", singleLine);
        }
    }

    /// <inheritdoc />
    protected override bool HandleTaskExecutionErrors()
    {
        if (Log.HasLoggedErrors)
        {
            return false;
        }

        Log.LogError(null, "MIMO211", null, null, 0, 0, 0, 0, "The Mimo runner exited with code {0} without saying why; run with -v:n to see its output.", ExitCode.ToString(CultureInfo.InvariantCulture));
        return false;
    }

    /// <inheritdoc />
    public override bool Execute()
    {
        if (BuildEngine is IBuildEngine6 engine)
        {
            var globals = engine.GetGlobalProperties();
            EnvironmentVariables = [.. EnvironmentVariables ?? [], .. SettingNames
                .Where(name => globals.TryGetValue(name, out var value) && value.Length > 0)
                .Select(name => name + "=" + globals[name])];
        }

        var succeeded = base.Execute();
        RunnerExitCode = ExitCode;
        if (_report.Count > 0 && TerminalLoggerHidesMessages())
        {
            // The terminal logger shows messages only at -v:detailed but always shows warnings: the report travels in one.
            Log.LogWarning(null, "MIMO212", null, null, 0, 0, 0, 0, "{0}",
                "The terminal logger shows build messages only at -v:detailed (or with -tl:off), so here is the report:\n" + string.Join("\n", _report));
        }

        return succeeded && !Log.HasLoggedErrors;
    }

    /// <summary>True when this MSBuild process was started with the terminal logger on and a verbosity below detailed.</summary>
    internal static bool TerminalLoggerHidesMessages()
    {
        var args = Environment.GetCommandLineArgs().Select(a => a.TrimStart('-', '/').ToLowerInvariant()).ToList();
        var terminal = args.LastOrDefault(a => a == "tl" || a.StartsWith("tl:", StringComparison.Ordinal) || a.StartsWith("terminallogger", StringComparison.Ordinal));

        // `dotnet build` asks for the terminal logger as a default (-tlp:default=auto) rather than with -tl.
        var byDefault = args.LastOrDefault(a => a.StartsWith("tlp:", StringComparison.Ordinal) || a.StartsWith("terminalloggerparameters:", StringComparison.Ordinal))
            ?.Split(':', 2)[1].Split(';').Select(p => p.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == "default")?[1];
        var setting = terminal?.Split(':', 2) is [_, var value] ? value : terminal is not null ? "on"
            : Environment.GetEnvironmentVariable("MSBUILDTERMINALLOGGER")?.ToLowerInvariant() ?? byDefault ?? "off";
        var on = setting is "on" or "true" or "1" or "force" || (setting == "auto" && !Console.IsOutputRedirected);
        var verbosity = args.LastOrDefault(a => a.StartsWith("v:", StringComparison.Ordinal) || a.StartsWith("verbosity:", StringComparison.Ordinal));
        var detailed = verbosity is not null && (verbosity.EndsWith(":d", StringComparison.Ordinal) || verbosity.EndsWith(":detailed", StringComparison.Ordinal)
            || verbosity.EndsWith(":diag", StringComparison.Ordinal) || verbosity.EndsWith(":diagnostic", StringComparison.Ordinal));
        return on && !detailed;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
