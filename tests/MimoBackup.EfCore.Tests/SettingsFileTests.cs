using System.Diagnostics;
using MimoBackup.EfCore.Internal;

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
        var project = _temp.File("probe.proj");
        File.WriteAllText(project, $"""
            <Project>
              <PropertyGroup>
                <TargetName>probe</TargetName>
                <IntermediateOutputPath>obj/</IntermediateOutputPath>
              </PropertyGroup>
              <Import Project="{Path.Combine(RepositoryRoot, "build", "package", "MimoBackup.EfCore.targets")}" />
              <Target Name="AssignTargetPaths" />
              <!-- The data-file filter needs the packed task assembly; this probe is about the settings file alone. -->
              <Target Name="_MimoExcludeDataFiles" />
            </Project>
            """);
        var start = new ProcessStartInfo("dotnet", ["msbuild", project, "-nologo", "-t:AssignTargetPaths"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["MimoNotifyCommand"] = command;
        start.Environment["MimoRetentionDays"] = "45";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output);

        var settings = BuildSettingsFile.TryLoad(_temp.File("obj/probe.mimo.json"));

        Assert.NotNull(settings);
        Assert.Equal(command.Trim(), settings.Values["MimoNotifyCommand"]);
        Assert.Equal("45", settings.Values["MimoRetentionDays"]);
    }

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
