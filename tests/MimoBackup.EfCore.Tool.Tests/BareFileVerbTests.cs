using System.Text.Json.Nodes;

namespace MimoBackup.EfCore.Tool.Tests;

/// <summary>Every verb on a bare SQLite file with --database: in-process, no project, no build (the production path).</summary>
public sealed class BareFileVerbTests : ToolFixture
{
    [Fact]
    public void Backup_with_name_and_pin_takes_a_pinned_verified_backup_and_prints_a_dotnet_mimo_restore_hint()
    {
        var run = Mimo("backup", "--database", "app.db", "--name", "before-change", "--pin");

        Assert.True(run.ExitCode == 0, run.ToString());
        var backup = Assert.Single(Backups());
        Assert.StartsWith("before-change_", backup, StringComparison.Ordinal);
        Assert.True((bool)JsonNode.Parse(File.ReadAllText(Path.Combine(BackupFolder, backup + ".meta.json")))!["pinned"]!);
        Assert.Contains($"To restore it: dotnet mimo restore {backup} --database app.db", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void List_json_prints_only_the_catalog_as_one_json_document()
    {
        Mimo("backup", "--database", Database).ExitCode.ShouldBe(0);
        Mimo("backup", "--database", Database, "--name", "second").ExitCode.ShouldBe(0);

        var run = Mimo("list", "--database", Database, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json;
        Assert.Equal(Database, (string?)json["database"]);
        Assert.Equal(2, json["backups"]!.AsArray().Count);
        Assert.All(json["backups"]!.AsArray(), b => Assert.True((bool)b!["verified"]!));
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void List_prints_the_table_and_an_empty_folder_hints_a_dotnet_mimo_backup()
    {
        var empty = Mimo("list", "--database", "app.db");
        Assert.Contains("no backups yet; take one with dotnet mimo backup --database app.db", empty.Output, StringComparison.Ordinal);

        Mimo("backup", "--database", "app.db").ExitCode.ShouldBe(0);
        var run = Mimo("list", "--database", "app.db");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("LAST MIGRATION", run.Output, StringComparison.Ordinal);
        Assert.Contains(Backups()[0], run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_by_name_brings_the_rows_back_and_keeps_a_pre_restore_backup()
    {
        Mimo("backup", "--database", "app.db", "--name", "good").ExitCode.ShouldBe(0);
        Execute(Database, "DELETE FROM Notes");

        var run = Mimo("restore", "good", "--database", "app.db");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(3, Count(Database));
        var preRestore = Assert.Single(Backups(), b => b.StartsWith("pre-restore_", StringComparison.Ordinal));
        Assert.Contains($"To undo: dotnet mimo restore {preRestore} --database app.db", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_from_a_path_takes_any_sqlite_file()
    {
        var old = Path.Combine(Folder, "old.db");
        File.Copy(Database, old);
        Execute(Database, "DELETE FROM Notes WHERE Id > 1");

        var run = Mimo("restore", "old.db", "--database", "app.db");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(3, Count(Database));
    }

    [Fact]
    public void Verify_checks_every_backup_or_one_by_name()
    {
        Mimo("backup", "--database", "app.db", "--name", "a").ExitCode.ShouldBe(0);
        Mimo("backup", "--database", "app.db", "--name", "b").ExitCode.ShouldBe(0);

        var all = Mimo("verify", "--database", "app.db");
        var one = Mimo("verify", "a", "--database", "app.db");

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains("2 of 2 backups passed", all.Output, StringComparison.Ordinal);
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Contains("1 of 1 backup passed", one.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_of_a_damaged_backup_exits_4_with_MIMO206_once_and_json_carries_it()
    {
        Mimo("backup", "--database", "app.db", "--name", "flipped").ExitCode.ShouldBe(0);
        var file = Path.Combine(BackupFolder, Backups()[0]);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        var run = Mimo("verify", "--database", "app.db", "--json");

        Assert.Equal(4, run.ExitCode);
        Assert.Single(run.ErrorLines, l => l.StartsWith("error MIMO206:", StringComparison.Ordinal));
        var json = run.Json;
        Assert.Equal(1, (int)json["failed"]!);
        Assert.False((bool)json["results"]![0]!["passed"]!);
        Assert.EndsWith(Backups()[0], (string?)json["results"]![0]!["backup"], StringComparison.Ordinal);
    }

    [Fact]
    public void Status_json_is_one_object_with_the_status_facts_and_warnings()
    {
        var run = Mimo("status", "--database", "app.db", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json;
        Assert.EndsWith("app.db", (string?)json["database"], StringComparison.Ordinal);
        Assert.True((bool)json["exists"]!);
        Assert.Null(json["backups"]!["newestVerified"]);
        Assert.Contains(json["warnings"]!.AsArray(), w => ((string)w!).Contains("take one with dotnet mimo backup --database app.db", StringComparison.Ordinal));
    }

    [Fact]
    public void Status_with_max_age_and_checkpoint_runs()
    {
        Mimo("backup", "--database", "app.db").ExitCode.ShouldBe(0);

        var run = Mimo("status", "--database", "app.db", "--max-backup-age-days", "3", "--checkpoint");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("newest verified", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_dry_run_decides_and_deletes_nothing()
    {
        Mimo("backup", "--database", "app.db").ExitCode.ShouldBe(0);

        var run = Mimo("prune", "--database", "app.db", "--dry-run");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("dry run, nothing is deleted", run.Output, StringComparison.Ordinal);
        Assert.Single(Backups());
    }

    [Fact]
    public void Export_then_import_round_trips_and_the_export_hints_dotnet_mimo_import()
    {
        var export = Mimo("export", "notes.json", "--database", "app.db");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.True(File.Exists(Path.Combine(Folder, "notes.json")));
        Assert.Contains("dotnet mimo import notes.json --database app.db", export.Output, StringComparison.Ordinal);
        Execute(Database, "DELETE FROM Notes");

        var import = Mimo("import", "notes.json", "--database", "app.db");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Equal(3, Count(Database));
        Assert.Single(Backups(), b => b.StartsWith("pre-import_", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_on_a_bare_file_is_a_usage_error_naming_what_it_needs()
    {
        var run = Mimo("plan", "--database", "app.db");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error MIMO209: plan needs the app's migrations", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void A_setting_given_as_option_or_property_applies_to_that_command_only()
    {
        var byOption = Mimo("backup", "--database", "app.db", "--backup-dir", "elsewhere");
        var byProperty = Mimo("backup", "--database", "app.db", "-p:MimoBackupDir=" + Path.Combine(Folder, "third"));
        var plain = Mimo("backup", "--database", "app.db");

        Assert.True(byOption.ExitCode == 0, byOption.ToString());
        Assert.Single(Directory.GetFiles(Path.Combine(Folder, "elsewhere"), "*.db"));
        Assert.Contains("--database app.db --backup-dir elsewhere", byOption.Output, StringComparison.Ordinal);
        Assert.True(byProperty.ExitCode == 0, byProperty.ToString());
        Assert.Single(Directory.GetFiles(Path.Combine(Folder, "third"), "*.db"));
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Single(Backups());
    }

    [Fact]
    public void A_command_option_as_property_works_like_the_targets_take_it()
    {
        var run = Mimo("backup", "--database", "app.db", "-p:MimoBackupName=nightly");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("nightly_", Assert.Single(Backups()), StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_line_setting_wins_over_the_environment()
    {
        var run = MimoWith(new Dictionary<string, string> { ["MimoBackupDir"] = Path.Combine(Folder, "from-env") }, "backup", "--database", "app.db", "--backup-dir", "from-line");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(Directory.Exists(Path.Combine(Folder, "from-line")));
        Assert.False(Directory.Exists(Path.Combine(Folder, "from-env")));
    }
}

internal static class Assertions
{
    public static void ShouldBe(this int actual, int expected) => Assert.Equal(expected, actual);
}
