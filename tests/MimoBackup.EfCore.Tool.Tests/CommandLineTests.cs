using System.CommandLine;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Tool.Tests;

/// <summary>The shape of the command line: verbs, dotnet-ef's options, settings from the table, -p:, help and completion.</summary>
public sealed class CommandLineTests : ToolFixture
{
    private static (RootCommand Root, IReadOnlyList<ToolVerb> Verbs, ToolOptions Options) Create()
        => MimoCommandLine.Create(new ToolContext(TextWriter.Null, TextWriter.Null, Path.GetTempPath(), _ => null));

    [Fact]
    public void Every_verb_of_the_package_is_a_verb_of_the_tool()
    {
        Assert.Equal(ManualCommands.Verbs, Create().Verbs.Select(v => v.Name));
    }

    [Fact]
    public void Every_app_setting_of_the_table_is_an_option_and_the_secret_is_not()
    {
        var options = Create().Options;
        var names = options.All.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(SettingDefinitions.All.Where(d => d.Scope == SettingScope.App), d => Assert.Contains(ToolOptions.OptionName(d), names));
        Assert.Contains("--backup-dir", names);
        Assert.Contains("--remote", names);
        Assert.Contains("--mirror-dir", names);
        Assert.DoesNotContain("--encryption-key", names);
    }

    [Fact]
    public void Dotnet_ef_option_names_are_there_with_their_short_forms()
    {
        var options = Create().Options.All.ToList();
        foreach (var (name, alias) in new[] { ("--project", "-p"), ("--startup-project", "-s"), ("--context", "-c"), ("--framework", "-f"), ("--verbose", "-v") })
        {
            Assert.Contains(options, o => o.Name == name && o.Aliases.Contains(alias));
        }

        foreach (var name in new[] { "--configuration", "--no-build", "--json", "--no-color", "--database" })
        {
            Assert.Contains(options, o => o.Name == name);
        }
    }

    [Fact]
    public void Msbuild_properties_become_property_options_and_the_short_p_stays_the_project()
    {
        Assert.Equal(
            ["list", "--property", "MimoBackupDir=/b", "--property", "Configuration=Release", "-p", "Data", "--property", "MimoSource=remote"],
            MimoCommandLine.RewriteProperties(["list", "-p:MimoBackupDir=/b", "/p:Configuration=Release", "-p", "Data", "-property:MimoSource=remote"]));
    }

    [Fact]
    public void Help_lists_the_verbs_on_standard_output_and_exits_0()
    {
        var run = Mimo("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.All(ManualCommands.Verbs, verb => Assert.Contains(verb, run.Output, StringComparison.Ordinal));
        var backup = Mimo("backup", "--help");
        Assert.Contains("--name", backup.Output, StringComparison.Ordinal);
        Assert.Contains("--backup-dir", backup.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_suggest_directive_that_dotnet_suggest_calls_completes_verbs_and_setting_values()
    {
        var verbs = Mimo("[suggest:2]", "re");
        var values = Mimo("[suggest:16]", "list --verify qu");

        Assert.Equal(0, verbs.ExitCode);
        Assert.Contains("restore", verbs.Output.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Contains("quick", values.Output.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Hints_are_dotnet_mimo_commands_for_the_tool_and_msbuild_commands_for_the_targets()
    {
        try
        {
            Invocation.Set(Folder, null, null, FrontEnd.DotnetMimo, " --database app.db");
            Assert.Equal("dotnet mimo restore backup_1.db --database app.db", CommandHints.Restore("/x/backup_1.db"));
            Assert.Equal("dotnet mimo backup --database app.db", CommandHints.Backup());
            Assert.Equal("dotnet mimo verify --database app.db", CommandHints.Verify());
            Assert.Equal("dotnet mimo status --checkpoint --database app.db", CommandHints.Checkpoint());
            Assert.Equal("dotnet mimo import \"my notes.json\" --database app.db", CommandHints.Import("my notes.json"));

            var app = Path.Combine(Folder, "App", "App.csproj");
            var data = Path.Combine(Folder, "Data", "Data.csproj");
            Invocation.Set(Folder, app, data, FrontEnd.DotnetMimo, " --context ShopContext");
            Assert.Equal(
                $"dotnet mimo restore b.db --project {Path.Combine("Data", "Data.csproj")} --startup-project {Path.Combine("App", "App.csproj")} --context ShopContext",
                CommandHints.Restore("b.db"));

            Invocation.Set(Folder, null, null);
            Assert.Equal("dotnet msbuild -t:MimoRestore -p:MimoRestoreFrom=b.db", CommandHints.Restore("b.db"));
            Assert.Equal("dotnet msbuild -t:MimoStatus -p:MimoCheckpoint=true", CommandHints.Checkpoint());
        }
        finally
        {
            Invocation.Set(Folder, null, null);
        }
    }
}
