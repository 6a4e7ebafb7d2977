using System.Text.Json;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tool;

/// <summary>
/// What the package's build targets write into <c>obj/&lt;project&gt;.&lt;configuration&gt;.&lt;framework&gt;.mimo-tool.json</c>
/// at the end of every build: the app assembly, its deps.json and runtimeconfig, the root namespace, the runner of the
/// package version the app references and the NuGet folders. Reading it costs milliseconds where an MSBuild evaluation
/// costs a second or two.
/// </summary>
internal sealed record ToolMetadata(
    string File,
    string ProjectFile,
    string TargetPath,
    string DepsFile,
    string RuntimeConfig,
    string RootNamespace,
    string TargetFramework,
    string Runner,
    IReadOnlyList<string> ProbingPaths)
{
    public const string Suffix = ".mimo-tool.json";

    /// <summary>
    /// The file of <paramref name="projectFile"/>'s build in <paramref name="configuration"/> (and
    /// <paramref name="framework"/>) in the project's <c>obj/</c> folder, or in <paramref name="folder"/> when the
    /// project moves it; null when no build wrote one. Several frameworks and none chosen is a usage error.
    /// </summary>
    public static ToolMetadata? Find(string projectFile, string configuration, string? framework, string? folder = null)
    {
        var obj = folder ?? Path.Combine(Path.GetDirectoryName(projectFile)!, "obj");
        var prefix = Path.GetFileNameWithoutExtension(projectFile) + "." + configuration + ".";
        if (!Directory.Exists(obj))
        {
            return null;
        }

        if (framework is not null)
        {
            var exact = Path.Combine(obj, prefix + framework + Suffix);
            return System.IO.File.Exists(exact) ? Read(exact) : null;
        }

        var found = Directory.GetFiles(obj, prefix + "*" + Suffix).Order(StringComparer.Ordinal).ToList();
        return found.Count switch
        {
            0 => null,
            1 => Read(found[0]),
            _ => throw new MimoBackupException(MimoError.BadCommandUsage,
                $"{Path.GetFileName(projectFile)} has builds for several target frameworks ({string.Join(", ", found.Select(f => Path.GetFileName(f)[prefix.Length..^Suffix.Length]))}): pick one with --framework"),
        };
    }

    public static ToolMetadata Read(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(file));
            var root = document.RootElement;
            string Text(string name) => root.TryGetProperty(name, out var value) ? value.GetString() ?? "" : "";
            var probing = root.TryGetProperty("probingPaths", out var paths) ? paths.EnumerateArray().Select(p => p.GetString() ?? "").Where(p => p.Length > 0).ToList() : [];
            return new ToolMetadata(file, Text("projectFile"), Text("targetPath"), Text("depsFile"), Text("runtimeConfig"), Text("rootNamespace"), Text("targetFramework"), Text("runner"), probing);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            throw new MimoBackupException(MimoError.SettingsFileUnreadable, e, file, e.Message);
        }
    }
}
