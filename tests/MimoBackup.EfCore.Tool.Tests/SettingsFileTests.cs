namespace MimoBackup.EfCore.Tool.Tests;

/// <summary>
/// On a production host the published app's settings file (<c>&lt;App&gt;.mimo.json</c>, which the build writes beside the
/// app) is what the app itself runs with; <c>--database</c> uses it too, below the environment and the command line.
/// </summary>
public sealed class SettingsFileTests : ToolFixture
{
    private string WriteSettingsFile(string relativePath, params (string Name, string Value)[] settings)
    {
        var path = Path.Combine(Folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var values = string.Join(",", settings.Select(s => $"\"{s.Name}\":\"{Uri.EscapeDataString(s.Value)}\""));
        File.WriteAllText(path, $"{{\"formatVersion\":2,\"buildId\":\"b1\",\"settings\":{{{values}}}}}");
        return path;
    }

    [Fact]
    public void The_current_folders_settings_file_applies_below_the_environment_and_the_command_line()
    {
        WriteSettingsFile("MyApp.mimo.json", ("MimoBackupDir", Path.Combine(Folder, "from-file")), ("MimoAutoPrune", "false"));

        var fromFile = Mimo("backup", "--database", "app.db");
        var fromEnvironment = MimoWith(new Dictionary<string, string> { ["MimoBackupDir"] = Path.Combine(Folder, "from-env") }, "backup", "--database", "app.db");
        var fromCommandLine = MimoWith(new Dictionary<string, string> { ["MimoBackupDir"] = Path.Combine(Folder, "from-env") }, "backup", "--database", "app.db", "--backup-dir", "typed");

        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
        Assert.Equal("Using the settings of MyApp.mimo.json", Assert.Single(fromFile.ErrorLines)); // said every time, on standard error
        Assert.Single(Directory.GetFiles(Path.Combine(Folder, "from-file"), "*.db"));
        Assert.DoesNotContain("prune", fromFile.Output, StringComparison.Ordinal); // MimoAutoPrune=false came from the file too
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
        Assert.Single(Directory.GetFiles(Path.Combine(Folder, "from-env"), "*.db"));
        Assert.True(fromCommandLine.ExitCode == 0, fromCommandLine.ToString());
        Assert.Single(Directory.GetFiles(Path.Combine(Folder, "typed"), "*.db"));
        Assert.Empty(Backups());
    }

    [Fact]
    public void A_named_settings_file_applies_and_its_relative_folders_are_the_apps()
    {
        WriteSettingsFile(Path.Combine("publish", "MyApp.mimo.json"), ("MimoBackupDir", "app-backups"));

        var run = Mimo("backup", "--database", "app.db", "--settings-file", Path.Combine("publish", "MyApp.mimo.json"), "--auto-prune", "false");
        var list = Mimo("list", "--database", "app.db", "--settings-file", Path.Combine("publish", "MyApp.mimo.json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(Directory.GetFiles(Path.Combine(Folder, "publish", "app-backups"), "*.db"));
        Assert.Contains("--settings-file publish/MyApp.mimo.json", run.Output.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("backups of app.db in publish/app-backups", list.Output.Replace('\\', '/'), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_settings_files_a_missing_one_or_one_beside_a_project_are_usage_errors_and_nothing_is_written()
    {
        WriteSettingsFile("One.mimo.json", ("MimoBackupDir", "one"));
        WriteSettingsFile("Two.mimo.json", ("MimoBackupDir", "two"));
        File.WriteAllText(Path.Combine(Folder, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");

        var several = Mimo("backup", "--database", "app.db");
        var missing = Mimo("backup", "--database", "app.db", "--settings-file", "Three.mimo.json");
        var folder = Mimo("backup", "--database", "app.db", "--settings-file", ".");
        var withProject = Mimo("list", "--project", "App.csproj", "--settings-file", "One.mimo.json");

        Assert.Equal(2, several.ExitCode);
        Assert.Contains("error MIMO209", Assert.Single(several.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("One.mimo.json, Two.mimo.json", several.Error, StringComparison.Ordinal);
        Assert.Contains("--settings-file", several.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("'Three.mimo.json' does not exist", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(2, folder.ExitCode);
        Assert.Contains("'.' is a folder", Assert.Single(folder.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(2, withProject.ExitCode);
        Assert.Contains("--settings-file goes with --database", Assert.Single(withProject.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Folder, "one")) || Directory.Exists(Path.Combine(Folder, "two")) || Directory.Exists(BackupFolder));
    }

    [Fact]
    public void A_bad_value_in_the_settings_file_is_MIMO001_naming_the_setting()
    {
        WriteSettingsFile("MyApp.mimo.json", ("MimoRetentionDays", "forever"));

        var run = Mimo("backup", "--database", "app.db");

        Assert.Equal(2, run.ExitCode);
        var error = Assert.Single(run.ErrorLines, l => l.StartsWith("error", StringComparison.Ordinal));
        Assert.StartsWith("error MIMO001", error, StringComparison.Ordinal);
        Assert.Contains("MimoRetentionDays", error, StringComparison.Ordinal);
        Assert.Empty(Backups());
    }
}
