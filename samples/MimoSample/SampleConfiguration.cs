using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace MimoSample;

/// <summary>The one place the app and dotnet-ef get their database from.</summary>
public static class SampleConfiguration
{
    private const string SettingsFile = "appsettings.json";

    /// <summary>
    /// ConnectionStrings:Mimo from appsettings.json (the current directory's first, else the one beside
    /// the app), overridden by the environment variable ConnectionStrings__Mimo.
    /// </summary>
    public static string MimoConnectionString()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(SettingsDirectory())
            .AddJsonFile(SettingsFile, optional: true)
            .AddEnvironmentVariables()
            .Build();

        return configuration.GetConnectionString("Mimo")
            ?? throw new InvalidOperationException(
                $"No connection string 'Mimo': add ConnectionStrings:Mimo to {SettingsFile} or set ConnectionStrings__Mimo.");
    }

    public static MemoryContext CreateContext() =>
        new(new DbContextOptionsBuilder<MemoryContext>().UseSqlite(MimoConnectionString()).UseMimoBackup().Options);

    // dotnet-ef runs with the project folder as current directory and the app's output folder as
    // AppContext.BaseDirectory; `dotnet run` keeps the caller's current directory.
    private static string SettingsDirectory() =>
        File.Exists(Path.Combine(Directory.GetCurrentDirectory(), SettingsFile))
            ? Directory.GetCurrentDirectory()
            : AppContext.BaseDirectory;
}
