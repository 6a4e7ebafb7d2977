namespace MimoBackup.EfCore.Tool.Tests;

/// <summary>Usage errors exit 2, MIMO errors exit with their own code; each is printed once on standard error, nothing on standard output.</summary>
public sealed class ErrorTests : ToolFixture
{
    [Theory]
    [InlineData("lst")]
    [InlineData("list", "--database", "app.db", "--bogus")]
    [InlineData("backup", "--database", "app.db", "extra-argument")]
    [InlineData("restore", "--database", "app.db")]
    [InlineData("export", "--database", "app.db")]
    public void Unknown_verbs_options_and_missing_arguments_exit_2_with_one_message_on_standard_error(params string[] args)
    {
        var run = Mimo(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.NotEmpty(run.ErrorLines);
        Assert.All(run.ErrorLines, l => Assert.StartsWith("error MIMO209: ", l, StringComparison.Ordinal));
        Assert.Equal(run.ErrorLines.Length, run.ErrorLines.Distinct().Count());
    }

    [Fact]
    public void No_verb_is_a_usage_error()
    {
        var run = Mimo();

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error MIMO209: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_restore_of_an_unknown_backup_exits_with_MIMO202s_code_2_once()
    {
        var run = Mimo("restore", "nothing-like-it", "--database", "app.db");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error MIMO202: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_restore_exits_4_and_leaves_the_database_as_it_was()
    {
        File.WriteAllText(Path.Combine(Folder, "notes.txt"), "not a database");
        var before = File.ReadAllBytes(Database);

        var run = Mimo("restore", "notes.txt", "--database", "app.db");

        Assert.Equal(4, run.ExitCode);
        Assert.Single(run.ErrorLines, l => l.StartsWith("error MIMO203: ", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllBytes(Database));
    }

    [Fact]
    public void An_invalid_name_is_MIMO201_and_an_invalid_setting_MIMO001_both_exit_2()
    {
        var name = Mimo("backup", "--database", "app.db", "--name", "../escape");
        var setting = Mimo("backup", "--database", "app.db", "--verify", "sometimes");

        Assert.Equal(2, name.ExitCode);
        Assert.StartsWith("error MIMO201: ", Assert.Single(name.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(2, setting.ExitCode);
        Assert.StartsWith("error MIMO001: ", Assert.Single(setting.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(Backups());
    }

    [Fact]
    public void A_missing_database_is_MIMO207_and_json_still_prints_only_json()
    {
        var run = Mimo("backup", "--database", "missing.db", "--json");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error MIMO207: ", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Equal("MIMO207", (string?)run.Json["errors"]![0]!["code"]);
    }

    [Fact]
    public void The_encryption_key_on_the_command_line_is_MIMO606()
    {
        var run = Mimo("list", "--database", "app.db", "-p:MimoEncryptionKey=c2VjcmV0");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error MIMO606: ", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_Mimo_property_is_warning_MIMO004_naming_the_nearest_setting()
    {
        var run = Mimo("backup", "--database", "app.db", "-p:MimoBackupNmae=x");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("warning MIMO004: MimoBackupNmae is not a MimoBackup setting, so it does nothing; did you mean MimoBackupName?", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_project_or_a_database_it_says_what_to_give()
    {
        var run = Mimo("list");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error MIMO209: no project file in", run.Error, StringComparison.Ordinal);
        Assert.Contains("--database <file>", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_restored_project_without_a_build_is_MIMO210_with_no_build()
    {
        File.WriteAllText(Path.Combine(Folder, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Directory.CreateDirectory(Path.Combine(Folder, "obj"));
        File.WriteAllText(Path.Combine(Folder, "obj", "project.assets.json"), "{}");

        var run = Mimo("list", "--no-build");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error MIMO210: ", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("App.Debug.<framework>.mimo-tool.json", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_import_dry_run_changes_nothing_whether_given_as_its_option_or_as_a_property()
    {
        Mimo("export", "notes.json", "--database", "app.db").ExitCode.ShouldBe(0);
        Execute(Database, "DELETE FROM Notes");

        var option = Mimo("import", "notes.json", "--database", "app.db", "--dry-run");
        var property = Mimo("import", "notes.json", "--database", "app.db", "-p:MimoDryRun=true");

        Assert.Equal((0, 0), (option.ExitCode, property.ExitCode));
        Assert.Contains("dry run, nothing was changed", option.Output, StringComparison.Ordinal);
        Assert.Equal(0, Count(Database));
    }

    [Fact]
    public void A_restore_drill_is_verify_with_restore_test()
    {
        Mimo("backup", "--database", "app.db").ExitCode.ShouldBe(0);

        var run = Mimo("verify", "--restore-test", "--database", "app.db");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("restored into a temporary database: integrity_check ok", run.Output, StringComparison.Ordinal);
    }
}
