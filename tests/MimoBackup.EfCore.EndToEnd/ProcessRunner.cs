using System.Diagnostics;
using System.Text;

namespace MimoBackup.EfCore.EndToEnd;

internal sealed record ProcessResult(int ExitCode, string Output)
{
    public ProcessResult ShouldSucceed()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}:\n{Output}");
        return this;
    }

    public ProcessResult ShouldFail()
    {
        Assert.True(ExitCode != 0, $"expected a failure, got exit code 0:\n{Output}");
        return this;
    }
}

/// <summary>Runs real commands (dotnet, dotnet-ef, bundles) with a clean, explicit environment.</summary>
internal static class ProcessRunner
{
    /// <summary>
    /// A private NuGet cache and CLI home for every command of this run: the CLI's tool resolver cache is shared per
    /// user, and another process's entry breaks dotnet-ef with "Run dotnet tool restore"; an empty cache proves
    /// that a fresh machine restores everything it needs.
    /// </summary>
    public static Dictionary<string, string> Isolation { get; } = [];

    public static ProcessResult Run(string workingDirectory, string fileName, IEnumerable<string> arguments, Dictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Settings set on the machine running the tests must not leak into the app under test.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Mimo", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDTERMINALLOGGER"] = "off";
        foreach (var (name, value) in Isolation)
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return new ProcessResult(process.ExitCode, $"$ {fileName} {string.Join(' ', arguments)}\n{output}");
        }
    }
}
