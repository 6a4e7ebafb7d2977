using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

public class DatabaseLocationTests
{
    private static readonly string Here = Path.GetFullPath("/srv/app");

    [Theory]
    [InlineData("Data Source=app.db", "/srv/app/app.db")]
    [InlineData("Data Source=../data/app.db", "/srv/data/app.db")]
    [InlineData("Data Source=/var/lib/app.db", "/var/lib/app.db")]
    [InlineData("Filename=app.db;Cache=Shared", "/srv/app/app.db")]
    [InlineData("Data Source=file:app.db?cache=shared", "/srv/app/app.db")]
    [InlineData("Data Source=file:///var/lib/app%20data.db", "/var/lib/app data.db")]
    public void FromConnectionString_files_resolve_against_the_current_folder(string connectionString, string expected)
    {
        Assert.Equal(Path.GetFullPath(expected), DatabaseLocation.FromConnectionString(connectionString, Here).Path);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=shared;Mode=Memory")]
    [InlineData("Data Source=file::memory:?cache=shared")]
    [InlineData("Data Source=file:shared?mode=memory&cache=shared")]
    [InlineData("Data Source=")]
    [InlineData("")]
    [InlineData(null)]
    public void FromConnectionString_memory_and_temporary_databases_have_no_file(string? connectionString)
    {
        Assert.True(DatabaseLocation.FromConnectionString(connectionString, Here).InMemory);
    }
}
