using System.Diagnostics;
using System.Security;
using MimoBackup.EfCore.Configuration;

namespace MimoBackup.EfCore.Tests;

/// <summary>The settings file the package's targets write at build time, written by the real MSBuild.</summary>
public sealed class SettingsFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Settings_with_quotes_backslashes_tabs_and_newlines_are_written_as_valid_json_and_read_back_exactly()
    {
        const string command = "printf '%s\\n' \"a\tb\" | tee C:\\logs\\mimo.txt; echo $HOME @(x) ü\nsecond line\r\n";

        var (exitCode, output) = Build(new() { ["MimoNotifyCommand"] = command, ["MimoRetentionDays"] = "45" }, [], []);
        Assert.True(exitCode == 0, output);

        var settings = BuildSettingsFile.TryLoad(_temp.File("obj/probe.mimo.json"));

        Assert.NotNull(settings);
        Assert.Equal(command.Trim(), settings.Values["MimoNotifyCommand"]);
        Assert.Equal("45", settings.Values["MimoRetentionDays"]);
    }

    [Fact]
    public void Settings_from_the_environment_or_a_global_property_last_one_command_and_only_project_values_persist()
    {
        // The environment and -p: stand for one command (a refused `MimoSkipBackup=true MimoBackupDir=... dotnet ef`
        // once baked both into this file, and the app's next Migrate() was refused and looked elsewhere).
        var (exitCode, output) = Build(
            new() { ["MimoRetentionDays"] = "45" },
            new() { ["MimoBackupDir"] = "elsewhere", ["MimoSkipBackup"] = "true", ["MimoVerify"] = "quick" },
            ["-p:MimoMirrorDir=mirror", "-p:MimoFreshBackupMinutes=5"]);
        Assert.True(exitCode == 0, output);

        var settings = BuildSettingsFile.TryLoad(_temp.File("obj/probe.mimo.json"))!;

        Assert.Equal("45", settings.Values["MimoRetentionDays"]);
        Assert.Equal(["MimoRetentionDays"], settings.Values.Keys);
        Assert.Null(settings.BuildId);
    }

    [Fact]
    public void Skip_given_to_a_build_is_written_once_with_a_build_id_and_typos_are_warned_about_with_the_nearest_name()
    {
        var (exitCode, output) = Build([], [], ["-p:MimoSkipBackup=true", "-p:MimoBackupNmae=x"]);
        Assert.True(exitCode == 0, output);

        var settings = BuildSettingsFile.TryLoad(_temp.File("obj/probe.mimo.json"))!;

        Assert.Equal("true", settings.Values["MimoSkipBackup"]);
        Assert.NotNull(settings.BuildId);
        Assert.Contains("MIMO004", output, StringComparison.Ordinal);
        Assert.Contains("'MimoBackupNmae' is not a MimoBackup setting", output, StringComparison.Ordinal);
        Assert.Contains("did you mean 'MimoBackupName'?", output, StringComparison.Ordinal);
    }

    private (int ExitCode, string Output) Build(Dictionary<string, string> projectProperties, Dictionary<string, string> environment, string[] arguments)
    {
        var properties = string.Concat(projectProperties.Select(p => $"<{p.Key}>{SecurityElement.Escape(MsbuildEscape(p.Value))}</{p.Key}>"));
        var project = _temp.File("probe.proj");
        File.WriteAllText(project, $"""
            <Project>
              <PropertyGroup>
                <TargetName>probe</TargetName>
                <IntermediateOutputPath>obj/</IntermediateOutputPath>
                <_MimoToolsDirectory>{TasksFolder}/</_MimoToolsDirectory>
                {properties}
              </PropertyGroup>
              <Import Project="{Path.Combine(RepositoryRoot, "build", "package", "MimoBackup.EfCore.targets")}" />
              <Target Name="AssignTargetPaths" />
              <!-- The data-file filter is proven end to end; this probe is about the settings file alone. -->
              <Target Name="_MimoExcludeDataFiles" />
            </Project>
            """);
        var start = new ProcessStartInfo("dotnet", ["msbuild", project, "-nologo", "-t:AssignTargetPaths", .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Mimo", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    private static string MsbuildEscape(string value)
    {
        var escaped = value.Replace("%", "%25", StringComparison.Ordinal);
        foreach (var c in "$@;'()*?")
        {
            escaped = escaped.Replace(c.ToString(), "%" + ((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return escaped;
    }

    /// <summary>The task assembly as this test run built it (the same configuration as the tests).</summary>
    private static string TasksFolder
        => Path.Combine(RepositoryRoot, "src", "MimoBackup.EfCore.Tasks", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0");

    private static string RepositoryRoot
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(folder.FullName, "MimoBackup.EfCore.sln")))
            {
                folder = folder.Parent!;
            }

            return folder.FullName;
        }
    }
}
