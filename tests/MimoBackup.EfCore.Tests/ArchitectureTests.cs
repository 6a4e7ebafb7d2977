using System.Text.RegularExpressions;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// The library's folders are layers (issue 13): a file may use types of its own layer and of the layers below, never
/// above; the engine holds no front-end text. Read from the source, with comments and string contents stripped
/// where they could only mislead (type names), and kept where they are the point (front-end text).
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>Bottom first. The public types the engine throws or reports sit with it.</summary>
    private static readonly string[] Layers = ["Engine", "Configuration", "Internal", "Commands", "Design"];

    private static readonly string[] EngineContractFiles = ["MimoBackupException.cs", "MimoBackupEventId.cs", "MimoVerification.cs"];

    private static string Library => Path.Combine(ReadmeTests.RepositoryRoot(), "src", "MimoBackup.EfCore");

    [Fact]
    public void Layers_use_only_their_own_layer_and_the_layers_below()
    {
        var files = SourceFiles().Select(path => (Path: path, Layer: LayerOf(path), Code: StripCommentsAndStrings(File.ReadAllText(path)))).ToList();
        var declaredIn = new Dictionary<string, (string Path, int Layer)>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (Match declaration in TypeDeclaration().Matches(file.Code))
            {
                declaredIn.TryAdd(declaration.Groups[1].Value, (file.Path, file.Layer));
            }
        }

        var violations = new List<string>();
        foreach (var file in files)
        {
            foreach (var name in Identifier().Matches(file.Code).Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                if (declaredIn.TryGetValue(name, out var type) && type.Layer > file.Layer)
                {
                    violations.Add($"{Relative(file.Path)} ({Layers[file.Layer]}) uses {name} from {Relative(type.Path)} ({Layers[type.Layer]})");
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Engine_has_no_MSBuild_or_dotnet_ef_syntax_and_writes_to_no_console()
    {
        string[] frontEndText = ["dotnet msbuild", "dotnet ef", "dotnet build", "-p:", "-t:", "Console.", "\"Mimo: \""];
        var found = SourceFiles()
            .Where(path => LayerOf(path) == 0)
            .SelectMany(path => File.ReadAllLines(path).Select((line, i) => (path, line, i)))
            .Where(l => !l.line.TrimStart().StartsWith("///", StringComparison.Ordinal) && !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .SelectMany(l => frontEndText.Where(t => l.line.Contains(t, StringComparison.Ordinal)).Select(t => $"{Relative(l.path)}:{l.i + 1}: {t}"))
            .ToList();

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
    }

    [Fact]
    public void Every_command_the_library_prints_comes_from_CommandHints()
    {
        // So each hint carries the project arguments it needs where it is printed, and a new front-end changes one file.
        string[] commandText = ["dotnet msbuild", "dotnet ef ", "-t:Mimo"];
        var found = SourceFiles()
            .Where(path => Path.GetFileName(path) != "CommandHints.cs")
            .SelectMany(path => File.ReadAllLines(path).Select((line, i) => (path, line, i)))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .SelectMany(l => commandText.Where(t => l.line.Contains(t, StringComparison.Ordinal)).Select(t => $"{Relative(l.path)}:{l.i + 1}: {t}"))
            .ToList();

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
    }

    [Fact]
    public void Every_source_file_is_in_a_known_layer()
    {
        Assert.All(SourceFiles(), path => LayerOf(path));
    }

    private static IEnumerable<string> SourceFiles()
        => Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static int LayerOf(string path)
    {
        var relative = Path.GetRelativePath(Library, path);
        var top = relative.Split(Path.DirectorySeparatorChar)[0];
        if (top == relative)
        {
            // The public entry points (UseMimoBackup, the options builder, AddEntityFrameworkMimoBackup) are on top.
            return EngineContractFiles.Contains(top) ? 0 : Layers.Length - 1;
        }

        var layer = Array.IndexOf(Layers, top);
        return layer >= 0 ? layer : throw new InvalidOperationException($"{relative} is in no layer: add its folder to {nameof(Layers)}");
    }

    private static string Relative(string path) => Path.GetRelativePath(Library, path);

    private static string StripCommentsAndStrings(string code)
    {
        code = Comment().Replace(code, " ");
        return StringLiteral().Replace(code, "\"\"");
    }

    [GeneratedRegex(@"\b(?:class|record struct|record|interface|enum|struct)\s+([A-Z][A-Za-z0-9]*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"@?\$*""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();
}
