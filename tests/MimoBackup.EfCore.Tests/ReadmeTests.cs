using MimoBackup.EfCore.Internal;

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
    public void Error_codes_are_unique()
    {
        Assert.Equal(MimoError.All.Count, MimoError.All.Select(e => e.Code).Distinct().Count());
    }

    private static string RepositoryRoot()
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
