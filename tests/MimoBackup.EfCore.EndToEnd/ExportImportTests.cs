using System.Text.RegularExpressions;

namespace MimoBackup.EfCore.EndToEnd;

/// <summary>SPEC §7 through the package's MSBuild targets: MimoExport and MimoImport on the sample app.</summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class ExportImportTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void Export_import_export_through_msbuild_gives_the_same_json_and_an_import_at_another_migration_is_refused()
    {
        var app = SampleApp.Create(package, "export");
        app.Build();
        var source = Updated(app, "source");
        app.Run(source, "seed", "200").ShouldSucceed();

        // As a user runs it: the target builds the app, and the relative file lands in the folder the command runs in.
        var exported = MSBuild(app, source, "MimoExport", "-p:MimoExportFile=memories.json").ShouldSucceed();
        var first = Path.Combine(app.Folder, "memories.json");
        Assert.True(File.Exists(first), exported.Output);
        Assert.Contains("Mimo: exported", exported.Output, StringComparison.Ordinal);
        Assert.Contains("last migration " + LastMigration(app), exported.Output, StringComparison.Ordinal);

        var copy = Updated(app, "copy");
        var imported = MSBuild(app, copy, "MimoImport", "-p:MimoImportFile=memories.json", "-p:MimoNoBuild=true").ShouldSucceed();
        var preImport = Assert.Single(SampleApp.Backups(copy));
        Assert.StartsWith("pre-import_", Path.GetFileName(preImport), StringComparison.Ordinal);
        Assert.Equal("pre-import", (string?)SampleApp.Sidecar(preImport)["kind"]);
        Assert.Contains("Mimo: imported", imported.Output, StringComparison.Ordinal);
        Assert.Contains("To undo: dotnet msbuild -t:MimoRestore -p:MimoRestoreFrom=" + Path.GetFileName(preImport), imported.Output, StringComparison.Ordinal);
        Assert.Equal(["import"], SampleApp.Audit(copy).Select(e => (string?)e["event"]));

        var second = Path.Combine(app.Data, "again.json");
        MSBuild(app, copy, "MimoExport", "-p:MimoExportFile=" + second, "-p:MimoNoBuild=true").ShouldSucceed();

        Assert.Equal(WithoutTimeAndSource(first), WithoutTimeAndSource(second));
        Assert.NotEqual(File.ReadAllText(first), File.ReadAllText(second)); // the source field does differ
        Assert.Equal(200, SampleApp.Scalar(copy, "SELECT count(*) FROM Engrams"));

        // A database at an earlier migration: refused before anything changes, and no backup is taken for nothing.
        var earlier = Updated(app, "earlier", "AddEngramSummary");
        var fingerprint = SampleApp.Fingerprint(earlier);
        var refused = MSBuild(app, earlier, "MimoImport", "-p:MimoImportFile=memories.json", "-p:MimoNoBuild=true").ShouldFail();

        Assert.Contains("MIMO504", refused.Output, StringComparison.Ordinal);
        Assert.Contains("exit code 3", refused.Output, StringComparison.Ordinal);
        Assert.Contains(LastMigration(app), refused.Output, StringComparison.Ordinal);
        Assert.Equal(fingerprint, SampleApp.Fingerprint(earlier));
        Assert.Empty(SampleApp.Backups(earlier));
    }

    private string Updated(SampleApp app, string name, string? migration = null)
    {
        var database = app.NewDatabasePath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, migration is null ? ["database", "update", "--no-build"] : ["database", "update", migration, "--no-build"])).ShouldSucceed();
        return database;
    }

    /// <summary>A target run as the README shows, against the database the sample's connection string names; the binlog stays beside the data.</summary>
    private ProcessResult MSBuild(SampleApp app, string database, string target, params string[] properties)
    {
        var binlog = Path.Combine(app.Data, $"{target}-{Path.GetFileNameWithoutExtension(database)}-{Guid.NewGuid().ToString("N")[..6]}.binlog");
        return Log(app.Dotnet(
            ["msbuild", "-nologo", "-t:" + target, .. properties, "-bl:" + binlog],
            new Dictionary<string, string?> { ["ConnectionStrings__Mimo"] = "Data Source=" + database }));
    }

    private static string LastMigration(SampleApp app)
        => Directory.GetFiles(Path.Combine(app.Folder, "Migrations"), "*.cs")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n!.Length > 15 && char.IsDigit(n[0]) && !n.EndsWith(".Designer", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Last()!;

    /// <summary>The export without the two manifest fields that legitimately differ: when and from where.</summary>
    private static string WithoutTimeAndSource(string file)
        => TimeAndSource().Replace(File.ReadAllText(file), "\"source\":\"-\",\"exportedUtc\":\"-\"", 1);

    [GeneratedRegex("\"source\":\"(?:[^\"\\\\]|\\\\.)*\",\"exportedUtc\":\"[^\"]*\"")]
    private static partial Regex TimeAndSource();

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}
