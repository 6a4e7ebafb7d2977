namespace MimoBackup.EfCore.EndToEnd;

/// <summary>SPEC §3 through the real dotnet-ef: destructive commands need a fresh verified backup.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class GuardTests(PackedPackage package, ITestOutputHelper log)
{
    private readonly SampleApp _app = SharedApp.Get(package);
    private static readonly Dictionary<string, string?> Skip = new() { ["MimoSkipBackup"] = "true" };

    [Fact]
    public void Update_shows_the_plan_with_its_destructive_operations_before_migrating()
    {
        var database = Seeded("plan");

        var update = Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();

        Assert.Contains("plan for", update.Output, StringComparison.Ordinal);
        Assert.Contains("2 migrations, 1 with data-changing operations: DropEngramLegacyScore: DropColumn Engrams.LegacyScore.", update.Output, StringComparison.Ordinal);
        var sidecar = SampleApp.Sidecar(Assert.Single(SampleApp.Backups(database)));
        Assert.Equal("DropEngramLegacyScore: DropColumn Engrams.LegacyScore", (string?)Assert.Single(sidecar["migrations"]!["destructive"]!.AsArray()));
    }

    [Fact]
    public void Revert_all_with_skip_and_no_fresh_backup_is_refused_and_leaves_the_database_untouched()
    {
        var database = Seeded("refused");
        var fingerprint = SampleApp.Fingerprint(database);

        var update = Ef(database, ["database", "update", "0", "--no-build"], Skip).ShouldFail();

        Assert.Contains("MIMO301", update.Output, StringComparison.Ordinal);
        Assert.Contains("Revert Initial", update.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Reverting migration", update.Output, StringComparison.Ordinal);
        Assert.Equal(fingerprint, SampleApp.Fingerprint(database));
        Assert.Empty(SampleApp.Backups(database));
        Assert.Equal("refusal", (string?)SampleApp.Audit(database).Last()["event"]);
    }

    [Fact]
    public void Revert_all_with_skip_needs_a_backup_that_holds_the_current_data_not_just_a_young_one()
    {
        var database = Seeded("covered");
        Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();

        // The pre-migration backup is two minutes young at most, but the migration changed the database after it.
        var stale = Ef(database, ["database", "update", "0", "--no-build"], Skip).ShouldFail();
        Assert.Contains("MIMO301", stale.Output, StringComparison.Ordinal);
        Assert.Contains("does not hold the current data", stale.Output, StringComparison.Ordinal);
        Assert.Equal(3, SampleApp.AppliedMigrations(database).Length);

        Log(_app.Msbuild("MimoBackup", database)).ShouldSucceed();
        var backup = SampleApp.Backups(database).Single(b => Path.GetFileName(b).StartsWith("backup_", StringComparison.Ordinal));
        var update = Ef(database, ["database", "update", "0", "--no-build"], Skip).ShouldSucceed();

        Assert.Contains("covered by", update.Output, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(backup), update.Output, StringComparison.Ordinal);
        Assert.Empty(SampleApp.AppliedMigrations(database));
        Assert.Equal("skip", (string?)SampleApp.Audit(database).Last(e => (string?)e["event"] != "comparison")["event"]);
    }

    [Fact]
    public void Safe_migration_may_skip_without_any_backup()
    {
        var database = Seeded("safe");

        var update = Ef(database, ["database", "update", "AddEngramSummary", "--no-build"], Skip).ShouldSucceed();

        Assert.Contains("1 migration, none with data-changing operations", update.Output, StringComparison.Ordinal);
        Assert.Contains("WITHOUT a backup", update.Output, StringComparison.Ordinal);
        Assert.Equal(2, SampleApp.AppliedMigrations(database).Length);
    }

    [Fact]
    public void Database_drop_with_skip_is_refused_without_a_fresh_backup_then_allowed_after_one()
    {
        var database = Seeded("drop");
        var fingerprint = SampleApp.Fingerprint(database);
        var environment = new Dictionary<string, string?>(Skip) { ["ConnectionStrings__Mimo"] = "Data Source=" + database };

        var refused = Log(_app.Dotnet(["ef", "database", "drop", "--force", "--no-build"], environment)).ShouldFail();

        // Said once, as dotnet-ef says its own errors: no stack trace, no repetition.
        Assert.Single(refused.Output.Split('\n'), l => l.Contains("MIMO302", StringComparison.Ordinal));
        Assert.DoesNotContain(refused.Output.Split('\n'), l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.Contains("dotnet msbuild -t:MimoBackup", refused.Output, StringComparison.Ordinal);
        Assert.Equal(fingerprint, SampleApp.Fingerprint(database));

        Log(_app.Msbuild("MimoBackup", database)).ShouldSucceed();
        Log(_app.Dotnet(["ef", "database", "drop", "--force", "--no-build"], environment)).ShouldSucceed();

        Assert.False(File.Exists(database));
        Assert.Single(SampleApp.Backups(database));
    }

    [Fact]
    public void Revert_all_with_skip_after_a_manual_backup_with_the_MimoBackup_target_succeeds()
    {
        var database = Seeded("manual");
        Log(_app.Msbuild("MimoBackup", database)).ShouldSucceed();
        var backup = Assert.Single(SampleApp.Backups(database));

        var update = Ef(database, ["database", "update", "0", "--no-build"], Skip).ShouldSucceed();

        Assert.Contains("covered by", update.Output, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(backup), update.Output, StringComparison.Ordinal);
        Assert.Empty(SampleApp.AppliedMigrations(database));
    }

    private string Seeded(string name)
    {
        var database = _app.NewDatabasePath("guard-" + name);
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Ef(database, ["database", "update", "Initial", "--no-build"]).ShouldSucceed();
        _app.Run(database, "seed", "20").ShouldSucceed();
        return database;
    }

    private ProcessResult Ef(string database, IEnumerable<string> arguments, Dictionary<string, string?>? environment = null)
        => Log(_app.Ef(database, arguments, environment));

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}
