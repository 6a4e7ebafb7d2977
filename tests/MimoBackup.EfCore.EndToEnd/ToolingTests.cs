namespace MimoBackup.EfCore.EndToEnd;

/// <summary>Skip routes, `migrations remove --force` and bundles: the paths that change an app's build.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ToolingTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void Skip_from_the_environment_skips_loudly_and_on_the_record()
    {
        var app = SampleApp.Create(package, "skip-environment");
        var database = Seeded(app, "skip-env");

        // No --no-build: MSBuild reads the variable as a property and the runtime reads it too. The target is
        // a safe migration: a destructive one would need a fresh backup (GuardTests).
        var update = Log(app.Ef(database, ["database", "update", "AddEngramSummary"], new() { ["MimoSkipBackup"] = "true" })).ShouldSucceed();

        Assert.Contains("MimoSkipBackup=true (from the environment)", update.Output, StringComparison.Ordinal);
        Assert.Contains("WITHOUT a backup", update.Output, StringComparison.Ordinal);
        Assert.Empty(SampleApp.Backups(database));
        Assert.Equal(2, SampleApp.AppliedMigrations(database).Length);
        var skip = Assert.Single(SampleApp.Audit(database));
        Assert.Equal("skip", (string?)skip["event"]);
        Assert.Equal("Environment", (string?)skip["source"]);
    }

    [Fact]
    public void Skip_from_a_build_is_honoured_once_then_backups_resume()
    {
        var app = SampleApp.Create(package, "skip-build");
        app.Build();
        var database = Seeded(app, "skip-build", build: false);
        var migrations = Migrations(app);
        app.Build("-p:MimoSkipBackup=true");

        var skipped = Log(app.Ef(database, ["database", "update", migrations[1], "--no-build"])).ShouldSucceed();
        var backedUp = Log(app.Ef(database, ["database", "update", "--no-build"])).ShouldSucceed();

        Assert.Contains("MimoSkipBackup=true (from the build)", skipped.Output, StringComparison.Ordinal);
        Assert.Contains("honoured once for this build", skipped.Output, StringComparison.Ordinal);
        Assert.Contains("was already used once; backing up as usual", backedUp.Output, StringComparison.Ordinal);
        var backup = Assert.Single(SampleApp.Backups(database));
        Assert.Equal(2, SampleApp.AppliedMigrations(backup).Length);
        Assert.Equal(["skip", "backup", "rehearsal", "comparison", "prune"], SampleApp.Audit(database).Select(e => (string?)e["event"]));
        Assert.Equal("MSBuild", (string?)SampleApp.Audit(database)[0]["source"]);
    }

    [Fact]
    public void Settings_from_the_project_file_apply_a_build_property_lasts_one_command_and_the_environment_overrides_them()
    {
        var app = SampleApp.Create(package, "settings");
        var project = Path.Combine(app.Folder, "MimoSample.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace(
            "</Project>",
            "<PropertyGroup><MimoBackupDir>../../data/msbuild-backups</MimoBackupDir><MimoVerify>quick</MimoVerify></PropertyGroup></Project>",
            StringComparison.Ordinal));

        // A -p: given to the build is for that build alone: it must not reach the update that follows it.
        app.Build("-p:MimoMirrorDir=../../data/one-off-mirror");
        var database = Seeded(app, "settings", build: false);
        var folder = Path.Combine(app.Data, "msbuild-backups");

        var fromBuild = Log(app.Ef(database, ["database", "update", "AddEngramSummary", "--no-build"])).ShouldSucceed();
        var fromEnvironment = Log(app.Ef(database, ["database", "update", "--no-build"], new() { ["MimoVerify"] = "full" })).ShouldSucceed();

        Assert.Contains("quick_check ok", fromBuild.Output, StringComparison.Ordinal);
        Assert.Contains("integrity_check ok", fromEnvironment.Output, StringComparison.Ordinal);
        var backups = Directory.GetFiles(folder, "*.db").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, backups.Length);
        Assert.Equal(["quick_check", "integrity_check"], backups.Select(b => (string?)SampleApp.Sidecar(b)["verification"]!["method"]));
        Assert.Empty(SampleApp.Backups(database));
        Assert.False(Directory.Exists(Path.Combine(app.Data, "one-off-mirror")));
    }

    [Fact]
    public void App_built_with_GenerateAssemblyInfo_false_is_still_backed_up_by_dotnet_ef()
    {
        // Common in older solutions: the AssemblyAttribute items the SDK turns into code are then dropped.
        var app = SampleApp.Create(package, "no-assembly-info");
        var project = Path.Combine(app.Folder, "MimoSample.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace(
            "</Project>", "<PropertyGroup><GenerateAssemblyInfo>false</GenerateAssemblyInfo></PropertyGroup></Project>", StringComparison.Ordinal));
        var database = Seeded(app, "no-assembly-info");

        var update = Log(app.Ef(database, ["database", "update"])).ShouldSucceed();

        Assert.Contains("Mimo: verified backup", update.Output, StringComparison.Ordinal);
        Assert.Single(SampleApp.Backups(database));
        Assert.Equal(3, SampleApp.AppliedMigrations(database).Length);
    }

    [Fact]
    public void Migrations_remove_force_backs_up_before_reverting_the_applied_migration()
    {
        var app = SampleApp.Create(package, "remove");
        var database = Seeded(app, "remove");
        Log(app.Ef(database, ["database", "update"])).ShouldSucceed();
        var before = SampleApp.Backups(database).Length;

        // `migrations remove` takes no --connection: the sample reads its connection string from the environment.
        var remove = Log(app.Dotnet(["ef", "migrations", "remove", "--force"], new() { ["ConnectionStrings__Mimo"] = "Data Source=" + database })).ShouldSucceed();

        Assert.Contains("revert 1 migration", remove.Output, StringComparison.Ordinal);
        var backup = Assert.Single(SampleApp.Backups(database).Skip(before));
        Assert.Equal(3, SampleApp.AppliedMigrations(backup).Length);
        Assert.Equal(2, SampleApp.AppliedMigrations(database).Length);
    }

    [Fact]
    public void Bundle_backs_up_before_migrating()
    {
        var app = SharedApp.Get(package);
        var database = app.NewDatabasePath("bundle");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, ["database", "update", "Initial", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "25").ShouldSucceed();
        var bundle = Path.Combine(app.Data, "efbundle");
        Log(app.Dotnet(["ef", "migrations", "bundle", "--force", "-o", bundle], timeout: TimeSpan.FromMinutes(8))).ShouldSucceed();

        // As dotnet-ef itself advises: the bundle reads the app's appsettings.json from beside it.
        File.Copy(Path.Combine(app.Folder, "appsettings.json"), Path.Combine(app.Data, "appsettings.json"), overwrite: true);
        var run = Log(ProcessRunner.Run(app.Data, bundle, ["--connection", "Data Source=" + database])).ShouldSucceed();

        Assert.Contains("Mimo: verified backup", run.Output, StringComparison.Ordinal);
        Assert.Contains("Mimo: rehearsal passed", run.Output, StringComparison.Ordinal); // A bundle is rehearsed too.
        var backup = Assert.Single(SampleApp.Backups(database));
        Assert.Single(SampleApp.AppliedMigrations(backup));
        Assert.Equal(3, SampleApp.AppliedMigrations(database).Length);
    }

    private string Seeded(SampleApp app, string name, bool build = true)
    {
        var database = app.NewDatabasePath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, build ? ["database", "update", "Initial"] : ["database", "update", "Initial", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "30").ShouldSucceed();
        return database;
    }

    private static string[] Migrations(SampleApp app)
        => Directory.GetFiles(Path.Combine(app.Folder, "Migrations"), "*.cs")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n!.Length > 15 && char.IsDigit(n[0]) && !n.EndsWith(".Designer", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray()!;

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}

/// <summary>The data loss that a migration's C# does not show, caught by the before/after comparison.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RebuildLossTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void AlterColumn_only_migration_whose_table_rebuild_drops_a_column_is_reported_as_lost()
    {
        // Fixtures/RebuildLoss: AddEngramMood adds Engrams.Mood by raw SQL and fills it; the next migration,
        // generated by dotnet-ef, only gives Importance a default, which SQLite applies by rebuilding Engrams
        // from the target model, where Mood does not exist.
        var app = SampleApp.Create(package, "rebuild-loss");
        PackedPackage.CopyTree(Path.Combine(AppContext.BaseDirectory, "Fixtures", "RebuildLoss"), app.Folder);
        app.Build();
        var database = app.NewDatabasePath("rebuild");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, ["database", "update", "DropEngramLegacyScore", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "30").ShouldSucceed();
        Log(app.Ef(database, ["database", "update", "AddEngramMood", "--no-build"])).ShouldSucceed();
        var moods = SampleApp.Scalar(database, "SELECT count(Mood) FROM Engrams");
        Assert.True(moods > 0);

        var update = Log(app.Ef(database, ["database", "update", "--no-build"])).ShouldSucceed();

        Assert.DoesNotContain("Mood", SampleApp.Columns(database, "Engrams"));
        Assert.Contains($"Engrams.Mood vanished with {moods} value{(moods == 1 ? "" : "s")}", update.Output, StringComparison.Ordinal);
        var comparison = SampleApp.Audit(database).Last(e => (string?)e["event"] == "comparison");
        var engrams = comparison["tables"]!.AsArray().Single(t => (string?)t!["table"] == "Engrams")!;
        Assert.Contains(engrams["columns"]!.AsArray(), c => (string?)c!["column"] == "Mood" && (bool)c["vanished"]! && (long)c["nonNullBefore"]! == moods);
        Assert.Contains("Mood", SampleApp.Columns(SampleApp.Backups(database).Last(), "Engrams"));
    }

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}

/// <summary>Every update rehearsed on a copy of its verified backup, through the real dotnet-ef and MimoPlan.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RehearsalTests(PackedPackage package, ITestOutputHelper log)
{
    private const string Content = "SELECT group_concat(Id || ':' || coalesce(Summary, '~') || ':' || Content, ',') FROM Engrams";

    [Fact]
    public void An_update_failing_on_data_its_first_migration_changed_is_refused_before_anything_is_applied_and_MimoPlan_changes_nothing()
    {
        var app = SampleApp.Create(package, "rehearsal");
        PackedPackage.CopyTree(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Rehearsal"), app.Folder);
        app.Build();
        var database = app.NewDatabasePath("rehearsal");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, ["database", "update", "DropEngramLegacyScore", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "30").ShouldSucceed();
        SampleApp.Execute(database, "UPDATE Engrams SET Summary = 'about ' || Id"); // Every column seeded.
        var history = SampleApp.AppliedMigrations(database);
        var content = SampleApp.ScalarText(database, Content);

        var plan = Log(app.Msbuild("MimoPlan", database, "-p:MimoNoBuild=true")).ShouldFail();
        Assert.Contains("MIMO303", plan.Output, StringComparison.Ordinal);
        Assert.Contains("20261202100200_UniqueContent", plan.Output, StringComparison.Ordinal);
        Assert.Equal(history, SampleApp.AppliedMigrations(database));
        Assert.Empty(SampleApp.Backups(database));

        // Before any backup exists: a skip of a WHERE-limited NULLing has nothing to fall back on.
        var skipped = Log(app.Ef(database, ["database", "update", "BlankSummaries", "--no-build"], new() { ["MimoSkipBackup"] = "true" })).ShouldFail();
        Assert.Contains("MIMO301", skipped.Output, StringComparison.Ordinal);
        Assert.Contains("UPDATE \"Engrams\" SET \"Summary\" = NULL WHERE", skipped.Output, StringComparison.Ordinal);
        Assert.Equal(content, SampleApp.ScalarText(database, Content));

        var refused = Log(app.Ef(database, ["database", "update", "--no-build"])).ShouldFail();
        Assert.Contains("MIMO303", refused.Output, StringComparison.Ordinal);
        Assert.Contains("UNIQUE constraint failed", refused.Output, StringComparison.Ordinal);
        Assert.Contains("Nothing was migrated; the verified backup", refused.Output, StringComparison.Ordinal);
        Assert.Equal(history, SampleApp.AppliedMigrations(database));
        Assert.Equal(content, SampleApp.ScalarText(database, Content));
        Assert.Single(SampleApp.Backups(database));

        var summaries = SampleApp.Scalar(database, "SELECT count(Summary) FROM Engrams WHERE Id > 1");
        var update = Log(app.Ef(database, ["database", "update", "BlankSummaries", "--no-build"])).ShouldSucceed();
        Assert.Contains($"Engrams.Summary: {summaries} values set to NULL", update.Output, StringComparison.Ordinal);
        Assert.True(update.Output.IndexOf("Mimo: rehearsal passed", StringComparison.Ordinal) < update.Output.LastIndexOf("Applying migration", StringComparison.Ordinal));
        Assert.Contains("after migrating (as rehearsed)", update.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_tells_a_rename_a_swapped_row_a_cascade_and_dropped_schema_objects_apart()
    {
        var app = SampleApp.Create(package, "rehearsal-report");
        PackedPackage.CopyTree(Path.Combine(AppContext.BaseDirectory, "Fixtures", "RehearsalReport"), app.Folder);
        app.Build();
        var database = app.NewDatabasePath("report");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, ["database", "update", "DropEngramLegacyScore", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "30").ShouldSucceed();
        SampleApp.Execute(database, "UPDATE Engrams SET Summary = 'about ' || Id; CREATE TRIGGER Engrams_Touched AFTER UPDATE ON Engrams BEGIN SELECT 1; END;");
        var cascaded = SampleApp.Scalar(database, "SELECT count(*) FROM Tags WHERE EngramId = 1");
        Assert.True(cascaded > 0);

        var update = Log(app.Ef(database, ["database", "update", "--no-build"])).ShouldSucceed();

        Assert.Contains("Engrams.Summary renamed to Abstract, values intact", update.Output, StringComparison.Ordinal);
        Assert.Contains("Tags: 1 row inserted", update.Output, StringComparison.Ordinal);
        Assert.Contains($"Tags: {cascaded} row{(cascaded == 1 ? "" : "s")} deleted by ON DELETE CASCADE from Engrams", update.Output, StringComparison.Ordinal);
        Assert.Contains("Tags: 1 row deleted", update.Output, StringComparison.Ordinal);
        Assert.Contains("trigger Engrams_Touched on Engrams vanished", update.Output, StringComparison.Ordinal);
        Assert.Contains("index IX_Tags_Label on Tags vanished", update.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Engrams.Summary vanished", update.Output, StringComparison.Ordinal);
        Assert.Contains("after migrating (as rehearsed)", update.Output, StringComparison.Ordinal);
    }

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}
