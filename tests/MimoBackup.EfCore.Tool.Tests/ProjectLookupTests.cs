namespace MimoBackup.EfCore.Tool.Tests;

/// <summary>How project mode finds the project (as dotnet-ef does) and the build's metadata in obj/ (no MSBuild with --no-build).</summary>
public sealed class ProjectLookupTests : ToolFixture
{
    [Fact]
    public void ProjectFile_takes_a_file_or_the_one_project_of_a_folder()
    {
        var app = Path.Combine(Folder, "App", "App.csproj");
        Directory.CreateDirectory(Path.GetDirectoryName(app)!);
        File.WriteAllText(app, "<Project />");

        Assert.Equal(app, ProjectRun.ProjectFile("App", Folder));
        Assert.Equal(app, ProjectRun.ProjectFile("App/App.csproj", Folder));
        Assert.Equal(app, ProjectRun.ProjectFile(null, Path.GetDirectoryName(app)!));
        File.WriteAllText(Path.Combine(Folder, "App", "Other.fsproj"), "<Project />");
        var two = Assert.Throws<MimoBackupException>(() => ProjectRun.ProjectFile("App", Folder));
        Assert.Contains("more than one project file", two.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_is_found_by_configuration_and_framework_and_several_frameworks_need_one_chosen()
    {
        var project = Path.Combine(Folder, "App.csproj");
        var obj = Path.Combine(Folder, "obj");
        Directory.CreateDirectory(obj);
        File.WriteAllText(Path.Combine(obj, "App.Debug.net10.0.mimo-tool.json"), """{ "formatVersion": 1, "targetPath": "/app/App.dll", "runner": "/r.dll", "probingPaths": ["/nuget"] }""");

        var found = ToolMetadata.Find(project, "Debug", null)!;
        Assert.Equal("/app/App.dll", found.TargetPath);
        Assert.Equal(["/nuget"], found.ProbingPaths);
        Assert.Null(ToolMetadata.Find(project, "Release", null));

        File.WriteAllText(Path.Combine(obj, "App.Debug.net9.0.mimo-tool.json"), "{}");
        Assert.Equal("/app/App.dll", ToolMetadata.Find(project, "Debug", "net10.0")!.TargetPath);
        var several = Assert.Throws<MimoBackupException>(() => ToolMetadata.Find(project, "Debug", null));
        Assert.Contains("--framework", several.Message, StringComparison.Ordinal);
    }
}
