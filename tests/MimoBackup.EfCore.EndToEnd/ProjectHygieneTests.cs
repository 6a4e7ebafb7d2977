namespace MimoBackup.EfCore.EndToEnd;

/// <summary>A brand-new app as a user makes one: the README's add-package line, and none of our files in its output.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ProjectHygieneTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void Web_app_added_as_the_readme_says_publishes_none_of_the_backups_sidecars_audit_log_or_exports()
    {
        var folder = Path.Combine(package.Root, "apps", "web-hygiene", "Shop");
        Directory.CreateDirectory(folder);
        Run(folder, ["new", "web", "--name", "Shop", "--output", ".", "--force"]).ShouldSucceed();

        // Exactly the README's line, with this run's feed for "<this repository>/build/feed".
        Run(folder, ["add", "package", "MimoBackup.EfCore", "--prerelease", "--source", package.Feed]).ShouldSucceed();
        Assert.Contains("MimoBackup.EfCore", File.ReadAllText(Path.Combine(folder, "Shop.csproj")), StringComparison.Ordinal);

        // A backup folder as the package leaves it (its own .gitignore first), and an export beside the project.
        var backups = Path.Combine(folder, "backups");
        Directory.CreateDirectory(backups);
        File.WriteAllText(Path.Combine(backups, ".gitignore"), "# Written by MimoBackup.EfCore: backups, sidecars and the audit log hold your data; keep them out of git.\n*\n");
        File.WriteAllText(Path.Combine(backups, "pre-migration_20261201_120000.db"), "not really a database");
        File.WriteAllText(Path.Combine(backups, "pre-migration_20261201_120000.db.meta.json"), "{\"formatVersion\":1}");
        File.WriteAllText(Path.Combine(backups, "notes.json"), "{\"kept\":\"in a backup folder\"}");
        File.WriteAllText(Path.Combine(backups, "audit.jsonl"), "{\"event\":\"backup\"}\n");
        File.WriteAllText(Path.Combine(folder, "memories.json"), "{\"format\":\"mimo-export\",\"formatVersion\":1,\"tables\":[]}");

        var publish = Path.Combine(folder, "out");
        Run(folder, ["publish", "-c", "Release", "-o", publish, "--nologo"]).ShouldSucceed();

        var published = Directory.GetFiles(publish, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(publish, f)).ToList();
        var built = Directory.GetFiles(Path.Combine(folder, "bin"), "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).ToList();
        log.WriteLine(string.Join("\n", published));
        Assert.Contains("appsettings.json", published); // The app's own JSON still ships: only ours is held back.
        foreach (var files in new[] { published, built })
        {
            Assert.DoesNotContain(files, f => f.Contains("memories.json", StringComparison.Ordinal));
            Assert.DoesNotContain(files, f => f.EndsWith(".meta.json", StringComparison.Ordinal));
            Assert.DoesNotContain(files, f => f.Contains("audit.jsonl", StringComparison.Ordinal));
            Assert.DoesNotContain(files, f => f.Contains("notes.json", StringComparison.Ordinal));
        }
    }

    private ProcessResult Run(string folder, string[] arguments)
    {
        var result = ProcessRunner.Run(folder, "dotnet", arguments);
        log.WriteLine(result.Output);
        return result;
    }
}
