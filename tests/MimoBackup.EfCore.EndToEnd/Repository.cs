namespace MimoBackup.EfCore.EndToEnd;

/// <summary>Paths inside this checkout, found from the test assembly's folder.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Sample => Path.Combine(Root, "samples", "MimoSample");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MimoBackup.EfCore.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("MimoBackup.EfCore.sln not found above " + AppContext.BaseDirectory);
    }
}
