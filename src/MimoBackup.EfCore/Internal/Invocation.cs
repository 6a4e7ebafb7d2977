namespace MimoBackup.EfCore.Internal;

/// <summary>Which front-end the user typed, so that every hint is a command of that front-end.</summary>
internal enum FrontEnd
{
    /// <summary><c>dotnet ef</c> and the package's MSBuild targets: hints are <c>dotnet msbuild -t:Mimo…</c>.</summary>
    MSBuildTargets,

    /// <summary>The <c>dotnet mimo</c> tool: hints are <c>dotnet mimo &lt;verb&gt;</c> with the arguments it was given.</summary>
    DotnetMimo,
}

/// <summary>
/// Where the user typed the command and which project it ran in: the process's own folder is the startup
/// project's, as for dotnet-ef's <c>ef.dll</c>, so printed paths and hints are made to work from this folder instead.
/// </summary>
internal static class Invocation
{
    private static (string Folder, string? Project, string? ContextProject)? _current;
    private static (FrontEnd FrontEnd, string Arguments) _frontEnd = (FrontEnd.MSBuildTargets, "");

    /// <summary>The folder printed paths are relative to and typed paths are resolved against.</summary>
    public static string Folder => Current.Folder;

    /// <summary>The startup project's file, when the command runs in one.</summary>
    public static string? Project => Current.Project;

    /// <summary>The project holding the DbContext when it is not the startup project (dotnet-ef's <c>--project</c>).</summary>
    public static string? ContextProject => Current.ContextProject;

    private static (string Folder, string? Project, string? ContextProject) Current => _current ??= FromCommandLine(Environment.GetCommandLineArgs());

    /// <summary>The front-end whose commands the hints are; the MSBuild targets unless one says otherwise.</summary>
    public static FrontEnd FrontEnd => _frontEnd.FrontEnd;

    /// <summary>
    /// What a <c>dotnet mimo</c> hint carries after its verb besides the projects (<c>--context</c>, <c>--database</c>,
    /// the settings it was given), with a leading space; empty for the other front-ends.
    /// </summary>
    public static string ToolArguments => _frontEnd.Arguments;

    /// <summary>Set by a front-end that is told them (the runner, from the MSBuild task or the tool).</summary>
    public static void Set(string folder, string? project, string? contextProject, FrontEnd frontEnd = FrontEnd.MSBuildTargets, string? toolArguments = null)
    {
        _current = (Path.GetFullPath(folder), FullOrNull(project), FullOrNull(contextProject));
        _frontEnd = (frontEnd, frontEnd == FrontEnd.DotnetMimo && !string.IsNullOrWhiteSpace(toolArguments) ? " " + toolArguments.Trim() : "");
    }

    /// <summary>
    /// dotnet-ef runs <c>ef.dll</c> in the startup project's folder and tells it where the user was with
    /// <c>--working-dir</c>; without it, the process's folder is the user's.
    /// </summary>
    internal static (string Folder, string? Project, string? ContextProject) FromCommandLine(IReadOnlyList<string> args)
    {
        string? Value(string name)
        {
            for (var i = 0; i < args.Count - 1; i++)
            {
                if (args[i] == name)
                {
                    return args[i + 1];
                }
            }

            return null;
        }

        var folder = Value("--working-dir") is { Length: > 0 } typed ? Path.GetFullPath(typed) : Directory.GetCurrentDirectory();
        return (folder, FullOrNull(Value("--startup-project")), FullOrNull(Value("--project")));
    }

    private static string? FullOrNull(string? path) => string.IsNullOrEmpty(path) ? null : Path.GetFullPath(path);

    /// <summary>A typed path, relative to where it was typed.</summary>
    public static string FullPath(string typed) => Path.GetFullPath(typed, Folder);

    /// <summary>Relative to where the user is, absolute when outside it.</summary>
    public static string Display(string path) => Display(Folder, path);

    internal static string Display(string folder, string path)
    {
        // A remote location (s3://bucket/prefix) is shown as written, never as a path.
        if (path.Contains("://", StringComparison.Ordinal))
        {
            return path;
        }

        var relative = Path.GetRelativePath(folder, path);
        return relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    /// <summary>
    /// What <c>dotnet msbuild</c> needs after its name to run the command from where the user is: the startup
    /// project's path unless the folder holds that one project file and nothing else MSBuild would pick, and
    /// <c>-p:MimoProject</c> when the DbContext lives in another project.
    /// </summary>
    public static string MSBuildProjectArgument() => MSBuildProjectArgument(Folder, Project, ContextProject);

    internal static string MSBuildProjectArgument(string typedIn, string? project, string? contextProject)
    {
        if (project is null)
        {
            return "";
        }

        var folder = Path.GetDirectoryName(project)!;
        var argument = string.Equals(folder, typedIn, StringComparison.Ordinal) && MSBuildCandidates(folder) == 1 ? "" : " " + Quoted(Display(typedIn, project));
        return contextProject is { } context && !string.Equals(context, project, StringComparison.Ordinal)
            ? argument + " -p:MimoProject=" + Quoted(Display(typedIn, context))
            : argument;
    }

    /// <summary>What <c>dotnet ef</c> needs to find the projects from where the user is: <c>--project</c>, <c>--startup-project</c>.</summary>
    public static string EfProjectArguments() => EfProjectArguments(Folder, Project, ContextProject);

    internal static string EfProjectArguments(string typedIn, string? project, string? contextProject)
    {
        if (project is null)
        {
            return "";
        }

        if (contextProject is { } context && !string.Equals(context, project, StringComparison.Ordinal))
        {
            return $" --project {Quoted(Display(typedIn, context))} --startup-project {Quoted(Display(typedIn, project))}";
        }

        // dotnet-ef, like MSBuild, takes the one project file of the current folder.
        return MSBuildProjectArgument(typedIn, project, null) is { Length: > 0 } argument ? " --project" + argument : "";
    }

    /// <summary>A path or value as a shell word: quoted when it holds a space.</summary>
    public static string Quoted(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    // MSBuild refuses a folder with more than one project or solution file (MSB1011).
    private static int MSBuildCandidates(string folder)
    {
        try
        {
            return Directory.EnumerateFiles(folder).Count(f => Path.GetExtension(f) is var e && (e.EndsWith("proj", StringComparison.OrdinalIgnoreCase) || e is ".sln" or ".slnx" or ".slnf"));
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
