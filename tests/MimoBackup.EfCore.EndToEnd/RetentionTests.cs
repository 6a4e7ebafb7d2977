namespace MimoBackup.EfCore.EndToEnd;

/// <summary>Issue 5 through the real dotnet-ef and MSBuild: the mirror after a migration's backup, and the prune target.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RetentionTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void Failing_mirror_warns_and_migrates_a_working_mirror_gets_the_backup_and_prune_dry_run_prints_reasons()
    {
        var app = SampleApp.Create(package, "retention");
        app.Build();
        var database = app.NewDatabasePath("retention");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, ["database", "update", "Initial", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "30").ShouldSucceed();

        // A folder below a regular file cannot be created, even by root.
        var blocker = Path.Combine(app.Data, "blocker");
        File.WriteAllText(blocker, "a file, not a folder");
        var failing = Log(app.Ef(database, ["database", "update", "AddEngramSummary", "--no-build"], new() { ["MimoMirrorDir"] = Path.Combine(blocker, "mirror") })).ShouldSucceed();

        Assert.Contains("MIMO401", failing.Output, StringComparison.Ordinal);
        Assert.Equal(2, SampleApp.AppliedMigrations(database).Length);
        Assert.Contains(SampleApp.Audit(database), e => (string?)e["event"] == "mirror" && (string?)e["result"] == "failed");

        var mirror = Path.Combine(app.Data, "mirror");
        var working = Log(app.Ef(database, ["database", "update", "--no-build"], new() { ["MimoMirrorDir"] = mirror })).ShouldSucceed();

        Assert.Equal(3, SampleApp.AppliedMigrations(database).Length);
        Assert.DoesNotContain("MIMO401", working.Output, StringComparison.Ordinal);
        var newest = Path.GetFileName(SampleApp.Backups(database).Last());
        Assert.True(File.Exists(Path.Combine(mirror, newest)), working.Output);
        Assert.True(File.Exists(Path.Combine(mirror, newest + ".meta.json")));
        Assert.Contains("Mimo: prune removed nothing", working.Output, StringComparison.Ordinal);

        // An old leftover of an interrupted backup: the only thing the policy lets go.
        var leftover = Path.Combine(SampleApp.BackupFolder(database), ".pre-migration_20200101_000000.deadbeef.tmp");
        File.WriteAllText(leftover, "half a copy");
        File.SetLastWriteTimeUtc(leftover, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var environment = new Dictionary<string, string?> { ["ConnectionStrings__Mimo"] = "Data Source=" + database, ["MimoMirrorDir"] = mirror };
        var prune = Log(app.Dotnet(["msbuild", "-nologo", "-tl:off", "-t:MimoBackupPrune", "-p:MimoDryRun=true", "-p:MimoNoBuild=true"], environment)).ShouldSucceed();

        Assert.Contains("dry run, nothing is deleted", prune.Output, StringComparison.Ordinal);
        Assert.Contains(prune.Output.Split('\n'), l => l.Contains("would delete", StringComparison.Ordinal) && l.Contains(Path.GetFileName(leftover), StringComparison.Ordinal) && l.TrimEnd().EndsWith("incomplete leftover", StringComparison.Ordinal));
        Assert.Contains(prune.Output.Split('\n'), l => l.Contains("keep", StringComparison.Ordinal) && l.Contains(newest, StringComparison.Ordinal) && l.TrimEnd().EndsWith("within 30 days", StringComparison.Ordinal));
        Assert.Contains("retention in " + mirror, prune.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(leftover));
        Assert.Equal(2, SampleApp.Backups(database).Length);

        var list = Log(app.Dotnet(["msbuild", "-nologo", "-tl:off", "-t:MimoBackupList", "-p:MimoSource=mirror", "-p:MimoNoBuild=true"], environment)).ShouldSucceed();

        Assert.Contains("RETENTION", list.Output, StringComparison.Ordinal);
        Assert.Contains(list.Output.Split('\n'), l => l.TrimStart().StartsWith(newest, StringComparison.Ordinal) && l.TrimEnd().EndsWith("within 30 days", StringComparison.Ordinal));
    }

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}
