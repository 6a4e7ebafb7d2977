using System.Diagnostics;
using System.Globalization;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tool;

/// <summary>
/// <c>dotnet mimo &lt;verb&gt;</c> in an app's project: finds the projects as dotnet-ef does, builds the startup project
/// unless <c>--no-build</c>, reads the build's <see cref="ToolMetadata"/>, and starts the runner of the MimoBackup.EfCore
/// version the app references inside the app's dependency context (<c>dotnet exec --depsfile --runtimeconfig</c>, as
/// dotnet-ef starts ef.dll), so the DbContext — and so the database — is found exactly as <c>dotnet ef</c> finds it.
/// The runner's protocol lines (<c>info:</c>, <c>warn:</c>, <c>error:MIMOnnn:exit:</c>, <c>progress:</c>) are relayed.
/// </summary>
/// <remarks>
/// The runner comes from the app's package, never from the tool: it runs against the MimoBackup.EfCore assembly the
/// app's deps.json resolves, and must be of that same version.
/// </remarks>
internal static class ProjectRun
{
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(15);

    public static async Task<MimoExitCode> RunAsync(ToolRequest request, ToolContext context, ToolOutput output, CancellationToken cancellationToken)
    {
        var folder = context.CurrentDirectory;

        // dotnet-ef: --project defaults to the current folder's project, --startup-project to --project.
        var project = ProjectFile(request.Project, folder);
        var startup = request.StartupProject is { } named ? ProjectFile(named, folder) : project;
        var contextProject = string.Equals(project, startup, StringComparison.Ordinal) ? null : project;
        var configuration = request.Configuration ?? "Debug";
        if (!request.NoBuild)
        {
            output.Begin("building " + Path.GetFileNameWithoutExtension(startup));
            await BuildAsync(startup, configuration, request, output, context, cancellationToken).ConfigureAwait(false);
        }

        // With --no-build no MSBuild is started: the last build's metadata is in obj/, unless the project moves obj/ elsewhere.
        var obj = Path.Combine(Path.GetDirectoryName(startup)!, "obj");
        var metadata = ToolMetadata.Find(startup, configuration, request.Framework)
            ?? (request.NoBuild && File.Exists(Path.Combine(obj, "project.assets.json"))
                ? throw new MimoBackupException(MimoError.NotBuilt, Path.Combine(obj, $"{Path.GetFileNameWithoutExtension(startup)}.{configuration}.{request.Framework ?? "<framework>"}{ToolMetadata.Suffix}"))
                : await EvaluateAsync(startup, configuration, request, output, cancellationToken).ConfigureAwait(false));
        if (metadata.RuntimeConfig.Length == 0)
        {
            throw new MimoBackupException(MimoError.NotExecutable, Path.GetFileNameWithoutExtension(startup));
        }

        foreach (var built in new[] { metadata.TargetPath, metadata.DepsFile, metadata.RuntimeConfig, metadata.Runner })
        {
            if (!File.Exists(built))
            {
                throw new MimoBackupException(MimoError.NotBuilt, built);
            }
        }

        var contextAssembly = contextProject is null ? null : await ContextAssemblyAsync(contextProject, metadata, configuration, output, cancellationToken).ConfigureAwait(false);
        var arguments = new List<string> { "exec", "--depsfile", metadata.DepsFile, "--runtimeconfig", metadata.RuntimeConfig };
        foreach (var probing in metadata.ProbingPaths)
        {
            arguments.AddRange(["--additionalprobingpath", probing]);
        }

        arguments.AddRange([metadata.Runner, request.Verb, "--assembly", metadata.TargetPath, "--project", startup, "--working-dir", folder, "--front-end", "dotnet-mimo"]);
        Add(arguments, "--context-assembly", contextAssembly);
        Add(arguments, "--context-project", contextProject);
        Add(arguments, "--root-namespace", metadata.RootNamespace);
        Add(arguments, "--context", request.Context);
        Add(arguments, "--database", request.Database is null ? null : Path.GetFullPath(request.Database, folder));
        Add(arguments, "--hint-arguments", request.HintArguments(folder));
        foreach (var (name, value) in request.Options)
        {
            arguments.AddRange(["--option", name + "=" + value]);
        }

        output.Begin(request.Verb);

        // The runner runs in the startup project's folder, as ef.dll does, so connection strings and appsettings.json resolve alike;
        // the settings given to this command reach it as its environment, as the targets hand it their -p: settings.
        var start = Start(Dotnet.Host(context), arguments, Path.GetDirectoryName(startup)!);
        foreach (var (name, value) in request.Settings)
        {
            start.Environment[name] = value;
        }

        output.Detail("Using the runner " + metadata.Runner);
        return (MimoExitCode)await RelayAsync(start, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A project file, or the one project file of a folder (the current folder when none is named), as dotnet-ef takes it.</summary>
    internal static string ProjectFile(string? typed, string folder)
    {
        var path = typed is null ? folder : Path.GetFullPath(typed, folder);
        if (File.Exists(path))
        {
            return path;
        }

        if (!Directory.Exists(path))
        {
            throw new MimoBackupException(MimoError.BadCommandUsage, $"the project '{typed}' does not exist");
        }

        var found = Directory.GetFiles(path, "*.*proj").Where(f => Path.GetExtension(f) is ".csproj" or ".fsproj" or ".vbproj").ToList();
        return found.Count switch
        {
            1 => found[0],
            0 when typed is null => throw new MimoBackupException(MimoError.BadCommandUsage,
                $"no project file in '{path}': run dotnet mimo in the app's project folder, name the project with --project, or give --database <file> to work on a bare SQLite file"),
            0 => throw new MimoBackupException(MimoError.BadCommandUsage, $"no project file in '{path}'"),
            _ => throw new MimoBackupException(MimoError.BadCommandUsage, $"more than one project file in '{path}': name one with --project"),
        };
    }

    private static void Add(List<string> arguments, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            arguments.AddRange([name, value]);
        }
    }

    private static async Task BuildAsync(string project, string configuration, ToolRequest request, ToolOutput output, ToolContext context, CancellationToken cancellationToken)
    {
        // The settings given to this command are not passed to the build: they must never reach the build's settings file (SPEC §8).
        List<string> arguments = ["build", project, "-nologo", "-tl:off", "-v:q", "-c", configuration, .. request.BuildProperties.Select(p => "-p:" + p)];
        if (request.Framework is not null)
        {
            arguments.AddRange(["-f", request.Framework]);
        }

        var lines = new List<string>();
        var exitCode = await RunAsync(Start(Dotnet.Host(context), arguments, context.CurrentDirectory), line => { lines.Add(line); output.Detail(line); }, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            if (!request.Verbose)
            {
                foreach (var line in lines.Where(l => l.Trim().Length > 0))
                {
                    output.Explain(line);
                }
            }

            throw new MimoBackupException(MimoError.BuildFailed, project, exitCode);
        }
    }

    /// <summary>Where a project that moves its <c>obj/</c> folder writes the metadata: one MSBuild evaluation, the slow path.</summary>
    private static async Task<ToolMetadata> EvaluateAsync(string project, string configuration, ToolRequest request, ToolOutput output, CancellationToken cancellationToken)
    {
        var file = await PropertyAsync(project, "_MimoToolMetadataFile", configuration, request.Framework, output, cancellationToken).ConfigureAwait(false);
        if (file.Length == 0)
        {
            throw new MimoBackupException(MimoError.BadCommandUsage,
                $"{Path.GetFileName(project)} does not reference MimoBackup.EfCore (or a version older than the dotnet mimo tool): add the package to the app, then build it");
        }

        return File.Exists(file) ? ToolMetadata.Read(file) : throw new MimoBackupException(MimoError.NotBuilt, file);
    }

    /// <summary>dotnet-ef's --project: the DbContext's assembly, loaded from the startup project's output as dotnet-ef loads it.</summary>
    private static async Task<string> ContextAssemblyAsync(string contextProject, ToolMetadata startup, string configuration, ToolOutput output, CancellationToken cancellationToken)
    {
        var outputFolder = Path.GetDirectoryName(startup.TargetPath)!;
        var byName = Path.Combine(outputFolder, Path.GetFileNameWithoutExtension(contextProject) + ".dll");
        if (File.Exists(byName))
        {
            return byName;
        }

        // An AssemblyName of its own: the project's own metadata when it references the package, else one evaluation.
        var own = ToolMetadata.Find(contextProject, configuration, startup.TargetFramework);
        var fileName = own is not null ? Path.GetFileName(own.TargetPath) : await PropertyAsync(contextProject, "TargetFileName", configuration, null, output, cancellationToken).ConfigureAwait(false);
        return Path.Combine(outputFolder, fileName);
    }

    private static async Task<string> PropertyAsync(string project, string property, string configuration, string? framework, ToolOutput output, CancellationToken cancellationToken)
    {
        List<string> arguments = ["msbuild", project, "-nologo", "-getProperty:" + property, "-p:Configuration=" + configuration];
        if (framework is not null)
        {
            arguments.Add("-p:TargetFramework=" + framework);
        }

        var lines = new List<string>();
        var exitCode = await RunAsync(Start(Dotnet.Host(null), arguments, Path.GetDirectoryName(project)!), lines.Add, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            foreach (var line in lines)
            {
                output.Explain(line);
            }

            throw new MimoBackupException(MimoError.BuildFailed, project, exitCode);
        }

        return lines.LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
    }

    private static ProcessStartInfo Start(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] ??= "1";
        start.Environment["DOTNET_NOLOGO"] ??= "1";
        return start;
    }

    /// <summary>The runner's lines relayed as they come; its exit code, or MIMO211 when it failed without saying why.</summary>
    private static async Task<int> RelayAsync(ProcessStartInfo start, ToolOutput output, CancellationToken cancellationToken)
    {
        var before = output.ErrorCount;
        var stderr = new List<string>();
        var exitCode = await RunAsync(start, line => Relay(line, output), cancellationToken, line => { stderr.Add(line); output.Detail(line); }).ConfigureAwait(false);
        if (exitCode != 0 && output.ErrorCount == before)
        {
            foreach (var line in stderr)
            {
                output.Explain(line);
            }

            output.Error(new MimoBackupException(MimoError.Unexpected, $"the Mimo runner exited with code {exitCode} without saying why (run with --verbose to see the app's output)"));
            return (int)MimoExitCode.Failed;
        }

        return exitCode;
    }

    internal static void Relay(string line, ToolOutput output)
    {
        if (line.StartsWith("progress:", StringComparison.Ordinal) && line.Split(':', 5) is [_, var unit, var done, var total, var activity]
            && Enum.TryParse<WorkUnit>(unit, out var counted) && long.TryParse(done, CultureInfo.InvariantCulture, out var doneCount)
            && long.TryParse(total, CultureInfo.InvariantCulture, out var totalCount))
        {
            output.Report(activity, doneCount, totalCount, counted);
        }
        else if (line.StartsWith("info:", StringComparison.Ordinal))
        {
            output.Information(default, line["info:".Length..]);
        }
        else if (line.StartsWith("warn:", StringComparison.Ordinal))
        {
            output.Warning(default, line["warn:".Length..]);
        }
        else if (line.StartsWith("error:", StringComparison.Ordinal) && line.Split(':', 4) is [_, var code, var exit, var message])
        {
            output.Error(code, int.TryParse(exit, out var number) ? number : 1, message);
        }
        else
        {
            // The app's own output while its DbContext is created (a host builder's logging, say).
            output.Detail(line);
        }
    }

    private static async Task<int> RunAsync(ProcessStartInfo start, Action<string> onOutput, CancellationToken cancellationToken, Action<string>? onError = null)
    {
        using var process = new Process { StartInfo = start };
        var gate = new Lock();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    onOutput(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    (onError ?? onOutput)(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ctrl+C reaches the child too (same terminal): it stops its work cleanly; only one that does not is killed.
        using var registration = cancellationToken.Register(() => _ = Task.Delay(CancelGrace, CancellationToken.None).ContinueWith(_ =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It has exited meanwhile.
            }
        }, TaskScheduler.Default));
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return process.ExitCode;
    }
}

/// <summary>The <c>dotnet</c> host that started the tool, so the runner and the build use the same SDK and runtimes.</summary>
internal static class Dotnet
{
    public static string Host(ToolContext? context)
    {
        var environment = context?.Environment ?? Environment.GetEnvironmentVariable;
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (environment("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } process && string.Equals(Path.GetFileName(process), name, StringComparison.OrdinalIgnoreCase))
        {
            return process;
        }

        // A global tool runs from its apphost: the runtime it found is under DOTNET_ROOT, else the dotnet on PATH.
        if (environment("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, name)))
        {
            return Path.Combine(root, name);
        }

        return (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists) ?? name;
    }
}
