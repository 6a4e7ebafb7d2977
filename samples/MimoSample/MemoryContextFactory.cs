using Microsoft.EntityFrameworkCore.Design;

namespace MimoSample;

/// <summary>Lets dotnet-ef create the context exactly as the app does.</summary>
public sealed class MemoryContextFactory : IDesignTimeDbContextFactory<MemoryContext>
{
    public MemoryContext CreateDbContext(string[] args) => SampleConfiguration.CreateContext();
}
