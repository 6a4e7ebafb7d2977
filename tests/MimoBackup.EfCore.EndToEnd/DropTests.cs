namespace MimoBackup.EfCore.EndToEnd;

/// <summary>`dotnet ef database drop` in an app that only references the package: no UseMimoBackup(), no code change.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class DropTests(PackedPackage package, ITestOutputHelper log)
{
    private static readonly Dictionary<string, string?> Skip = new() { ["MimoSkipBackup"] = "true" };

    [Fact]
    public void Drop_with_no_code_change_takes_a_verified_pre_drop_backup_and_a_skip_needs_one_that_holds_the_current_data()
    {
        var app = SampleApp.Create(package, "drop-zero-code");
        var configuration = Path.Combine(app.Folder, "SampleConfiguration.cs");
        File.WriteAllText(configuration, File.ReadAllText(configuration).Replace(".UseMimoBackup()", "", StringComparison.Ordinal));
        app.Build();

        // 1. Backups on: a pre-drop_ backup holding every row, then the drop.
        var database = Seeded(app, "dropped");
        var rows = SampleApp.Scalar(database, "SELECT (SELECT count(*) FROM Engrams) + (SELECT count(*) FROM Tags) + (SELECT count(*) FROM MemoryChains) + (SELECT count(*) FROM __EFMigrationsHistory)");
        var drop = Log(Drop(app, database)).ShouldSucceed();
        Assert.False(File.Exists(database));
        var backup = Assert.Single(SampleApp.Backups(database));
        Assert.StartsWith("pre-drop_", Path.GetFileName(backup), StringComparison.Ordinal);
        Assert.Contains("Mimo: verified backup", drop.Output, StringComparison.Ordinal);
        var tables = SampleApp.Sidecar(backup)["tables"]!.AsArray();
        Assert.Equal(rows, tables.Where(t => (string?)t!["name"] != "__EFMigrationsLock").Sum(t => (long)t!["rows"]!));
        Assert.True((bool)SampleApp.Sidecar(backup)["verification"]!["passed"]!);

        // 2. A backup that cannot be taken (the backup folder is a file): refused, the database untouched.
        var blocked = Seeded(app, "blocked");
        var blocker = Path.Combine(app.Data, "not-a-folder");
        File.WriteAllText(blocker, "");
        var fingerprint = SampleApp.Fingerprint(blocked);
        var refused = Log(Drop(app, blocked, new() { ["MimoBackupDir"] = blocker })).ShouldFail();
        Assert.Contains("MIMO302", refused.Output, StringComparison.Ordinal);
        Assert.Equal(fingerprint, SampleApp.Fingerprint(blocked));

        // 3. With MimoSkipBackup: refused without a backup, refused after a backup and one more insert, allowed after a new one.
        var skipped = Seeded(app, "skipped");
        Assert.Contains("MIMO302", Log(Drop(app, skipped, Skip)).ShouldFail().Output, StringComparison.Ordinal);
        Log(app.Msbuild("MimoBackup", skipped)).ShouldSucceed();
        app.Run(skipped, "seed", "1").ShouldSucceed();
        var stale = Log(Drop(app, skipped, Skip)).ShouldFail();
        Assert.Contains("does not hold the current data", stale.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(skipped));
        Log(app.Msbuild("MimoBackup", skipped)).ShouldSucceed();
        var covered = Log(Drop(app, skipped, Skip)).ShouldSucceed();
        Assert.Contains("holds its current data", covered.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(skipped));
    }

    /// <summary>`database drop` takes no --connection: the sample reads its connection string from the environment.</summary>
    private static ProcessResult Drop(SampleApp app, string database, Dictionary<string, string?>? environment = null)
        => app.Dotnet(
            ["ef", "database", "drop", "--force", "--no-build"],
            new Dictionary<string, string?>(environment ?? []) { ["ConnectionStrings__Mimo"] = "Data Source=" + database });

    private string Seeded(SampleApp app, string name)
    {
        var database = app.NewDatabasePath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, ["database", "update", "Initial", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "30").ShouldSucceed();
        return database;
    }

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}
