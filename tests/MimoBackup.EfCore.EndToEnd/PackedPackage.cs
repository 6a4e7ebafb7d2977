namespace MimoBackup.EfCore.EndToEnd;

/// <summary>
/// Packs the package once per test run, from a copy of the sources, into a private feed under a version
/// no earlier run used: NuGet's global cache can then never serve an older build of the same version.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    public PackedPackage()
    {
        Root = Path.Combine(Path.GetTempPath(), "mimo-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        Feed = Path.Combine(Root, "feed");
        Version = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1000, 9999)}";
        ProcessRunner.Isolation["NUGET_PACKAGES"] = Path.Combine(Root, "nuget-packages");
        ProcessRunner.Isolation["DOTNET_CLI_HOME"] = Path.Combine(Root, "cli-home");
        Console.WriteLine($"end-to-end: packing MimoBackup.EfCore {Version} into a private feed, with a private NuGet cache");

        // Packing a copy keeps this run's Release build of src/ (loaded by the other test project) untouched.
        var sources = Path.Combine(Root, "sources");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "README.md", "LICENSE", "nuget.config" })
        {
            CopyFile(Path.Combine(Repository.Root, file), Path.Combine(sources, file));
        }

        CopyTree(Path.Combine(Repository.Root, "src"), Path.Combine(sources, "src"));
        CopyTree(Path.Combine(Repository.Root, "build", "package"), Path.Combine(sources, "build", "package"));
        Directory.CreateDirectory(Path.Combine(sources, "build", "feed"));

        ProcessRunner.Run(
            sources,
            "dotnet",
            ["pack", "src/MimoBackup.EfCore/MimoBackup.EfCore.csproj", "-c", "Release", "-o", Feed, $"-p:MimoPackageVersion={Version}"])
            .ShouldSucceed();

        // The S3 provider is a package of its own, found at run time by the app that references it.
        Console.WriteLine($"end-to-end: packing MimoBackup.EfCore.S3 {Version}");
        ProcessRunner.Run(
            sources,
            "dotnet",
            ["pack", "src/MimoBackup.EfCore.S3/MimoBackup.EfCore.S3.csproj", "-c", "Release", "-o", Feed, $"-p:MimoPackageVersion={Version}"])
            .ShouldSucceed();

        // The dotnet mimo tool, installed from the feed into a tool manifest by the tool's tests.
        Console.WriteLine($"end-to-end: packing MimoBackup.EfCore.Tool {Version}");
        ProcessRunner.Run(
            sources,
            "dotnet",
            ["pack", "src/MimoBackup.EfCore.Tool/MimoBackup.EfCore.Tool.csproj", "-c", "Release", "-o", Feed, $"-p:MimoPackageVersion={Version}"])
            .ShouldSucceed();
    }

    public string Root { get; }

    public string Feed { get; }

    public string Version { get; }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("MIMO_E2E_KEEP") is null)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A process of a failed test may still hold a file; the temp folder is cleaned by the OS.
            }
        }
    }

    internal static void CopyTree(string from, string to, Func<string, bool>? include = null)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Any(p => p is "bin" or "obj" or "backups") || (include is not null && !include(relative)))
            {
                continue;
            }

            CopyFile(file, Path.Combine(to, relative));
        }
    }

    internal static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }
}

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<PackedPackage>
{
    // Every end-to-end test shares one packed package and runs one at a time (they build and run dotnet-ef).
    public const string Name = "end-to-end";
}
