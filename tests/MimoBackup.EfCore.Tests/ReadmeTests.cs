using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

public class ReadmeTests
{
    [Fact]
    public void Readme_lists_every_error_code_with_its_exit_code()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));

        foreach (var error in MimoError.All)
        {
            Assert.Contains($"| {error.Code} | {(int)error.ExitCode} |", readme, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_error_defined_is_in_the_list_the_readme_is_checked_against()
    {
        var defined = typeof(MimoError).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(MimoError))
            .Select(f => (MimoError)f.GetValue(null)!);
        Assert.Equal(defined.Select(e => e.Code).Order(), MimoError.All.Select(e => e.Code).Order());
    }

    [Fact]
    public void Readme_error_table_gives_each_code_one_row_errors_and_build_warnings_alike()
    {
        var rows = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"))
            .Where(l => l.StartsWith("| MIMO", StringComparison.Ordinal))
            .Select(l => l.Split('|')[1].Trim())
            .ToList();
        Assert.Empty(rows.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public void Error_codes_are_unique()
    {
        Assert.Equal(MimoError.All.Count, MimoError.All.Select(e => e.Code).Distinct().Count());
    }

    [Fact]
    public void Package_readme_is_short_shows_both_skip_routes_and_the_repository_has_its_license()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "build", "package", "README.md"));

        Assert.True(readme.Length < 4000, $"the package readme has {readme.Length} characters");
        Assert.Contains("MimoSkipBackup=true dotnet ef database update", readme, StringComparison.Ordinal);
        Assert.Contains("dotnet build -p:MimoSkipBackup=true", readme, StringComparison.Ordinal);
        Assert.Contains("--no-build", readme, StringComparison.Ordinal);
        Assert.Contains("backups/", readme, StringComparison.Ordinal);
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(root, "LICENSE")), StringComparison.Ordinal);

        var project = File.ReadAllText(Path.Combine(root, "src", "MimoBackup.EfCore", "MimoBackup.EfCore.csproj"));
        Assert.Contains("build/package/README.md", project, StringComparison.Ordinal);
        Assert.Contains("-p:ContinuousIntegrationBuild=true", File.ReadAllText(Path.Combine(root, "build", "pack.sh")), StringComparison.Ordinal);
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MimoBackup.EfCore.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("MimoBackup.EfCore.sln not found");
    }
}
