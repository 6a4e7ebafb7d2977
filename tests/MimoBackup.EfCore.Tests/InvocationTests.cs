using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Tests;

/// <summary>Printed paths and hints are made for the folder the user typed the command in, as dotnet-ef tells it.</summary>
public sealed class InvocationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Project(string relative)
    {
        var path = _temp.File(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "<Project />");
        return path;
    }

    [Fact]
    public void FromCommandLine_reads_dotnet_efs_working_dir_and_projects()
    {
        var (folder, project, context) = Invocation.FromCommandLine(
            ["ef.dll", "database", "update", "--project", "/src/Data/Data.csproj", "--startup-project", "/src/App/App.csproj", "--working-dir", "/src"]);

        Assert.Equal(Path.GetFullPath("/src"), folder);
        Assert.Equal(Path.GetFullPath("/src/App/App.csproj"), project);
        Assert.Equal(Path.GetFullPath("/src/Data/Data.csproj"), context);
        Assert.Equal(Directory.GetCurrentDirectory(), Invocation.FromCommandLine(["app.dll"]).Folder);
    }

    [Fact]
    public void MSBuildProjectArgument_is_empty_in_the_folder_of_the_one_project()
    {
        var app = Project("shop/Shop.csproj");

        Assert.Equal("", Invocation.MSBuildProjectArgument(Path.GetDirectoryName(app)!, app, app));
    }

    [Fact]
    public void MSBuildProjectArgument_names_the_project_from_a_parent_folder_and_the_context_project_when_it_differs()
    {
        var app = Project("App/App.csproj");
        var data = Project("Data/Data.csproj");

        Assert.Equal($" {Path.Combine("App", "App.csproj")}", Invocation.MSBuildProjectArgument(_temp.Path, app, null));
        Assert.Equal($" {Path.Combine("App", "App.csproj")} -p:MimoProject={Path.Combine("Data", "Data.csproj")}", Invocation.MSBuildProjectArgument(_temp.Path, app, data));
    }

    [Fact]
    public void MSBuildProjectArgument_names_the_project_where_msbuild_could_not_choose()
    {
        var app = Project("shop/Shop.csproj");
        Project("shop/Shop.sln");

        Assert.Equal(" Shop.csproj", Invocation.MSBuildProjectArgument(Path.GetDirectoryName(app)!, app, null));
    }

    [Fact]
    public void Display_is_relative_inside_the_folder_and_absolute_outside_it()
    {
        var inside = Path.Combine(_temp.Path, "shop", "backups", "a.db");
        Assert.Equal(Path.Combine("shop", "backups", "a.db"), Invocation.Display(_temp.Path, inside));

        var outside = Path.Combine(Path.GetDirectoryName(_temp.Path)!, "elsewhere.db");
        Assert.Equal(outside, Invocation.Display(_temp.Path, outside));
        // A folder whose name starts with two dots is inside, not a parent.
        Assert.Equal(Path.Combine("..data", "x.db"), Invocation.Display(_temp.Path, Path.Combine(_temp.Path, "..data", "x.db")));
    }
}
