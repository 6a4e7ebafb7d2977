using System.Text.Json;
using Microsoft.Build.Framework;

namespace MimoBackup.EfCore.Tasks;

/// <summary>
/// Writes, at the end of every build, what the <c>dotnet mimo</c> tool needs to start the package's runner in the app's
/// dependency context without evaluating the project (dotnet-ef asks MSBuild for the same facts on every call, which
/// costs a second or two): the app assembly, its deps.json and runtimeconfig, the root namespace, the runner of this
/// package version and the NuGet folders the deps.json's packages are found in. <c>dotnet mimo --no-build</c> reads it.
/// </summary>
public sealed class MimoWriteToolMetadata : Microsoft.Build.Utilities.Task
{
    /// <summary>The metadata file, in the project's <c>obj/</c> folder.</summary>
    [Required]
    public string File { get; set; } = "";

    /// <summary>The project file.</summary>
    public string ProjectFile { get; set; } = "";

    /// <summary>The app assembly (<c>$(TargetPath)</c>).</summary>
    public string TargetPath { get; set; } = "";

    /// <summary>The app's <c>.deps.json</c>.</summary>
    public string DepsFile { get; set; } = "";

    /// <summary>The app's <c>.runtimeconfig.json</c> (none in a library).</summary>
    public string RuntimeConfig { get; set; } = "";

    /// <summary>The app's root namespace.</summary>
    public string RootNamespace { get; set; } = "";

    /// <summary>The build's configuration.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>The build's target framework.</summary>
    public string TargetFramework { get; set; } = "";

    /// <summary>The runner shipped in this package version.</summary>
    public string RunnerPath { get; set; } = "";

    /// <summary>NuGet package folders.</summary>
    public string[] ProbingPaths { get; set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", 1);
            json.WriteString("projectFile", ProjectFile);
            json.WriteString("targetPath", TargetPath);
            json.WriteString("depsFile", DepsFile);
            json.WriteString("runtimeConfig", System.IO.File.Exists(RuntimeConfig) ? RuntimeConfig : "");
            json.WriteString("rootNamespace", RootNamespace);
            json.WriteString("configuration", Configuration);
            json.WriteString("targetFramework", TargetFramework);
            json.WriteString("runner", RunnerPath);
            json.WriteStartArray("probingPaths");
            foreach (var folder in ProbingPaths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.TrimEnd('/', '\\')).Distinct(StringComparer.Ordinal))
            {
                json.WriteStringValue(folder);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var bytes = buffer.ToArray();

        // Only a changed file is written, so an unchanged build stays incremental.
        if (System.IO.File.Exists(File) && System.IO.File.ReadAllBytes(File).AsSpan().SequenceEqual(bytes))
        {
            return true;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(File))!);
        System.IO.File.WriteAllBytes(File, bytes);
        return true;
    }
}
