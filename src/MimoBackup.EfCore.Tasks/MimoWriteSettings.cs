using System.Text;
using Microsoft.Build.Framework;

namespace MimoBackup.EfCore.Tasks;

/// <summary>
/// Writes the build's settings file (read by the runtime beside the app assembly) with the values that come from
/// project files only: a setting given to one command — an environment variable or a <c>-p:</c> global property —
/// lasts as long as that command and never reaches later ones through this file (SPEC §8). The one exception is the
/// documented route <c>dotnet build -p:MimoSkipBackup=true</c> then <c>dotnet ef database update --no-build</c>: that
/// skip is written with a fresh build id, and the runtime uses each build's skip once. Unknown <c>Mimo*</c> global
/// properties and environment variables are warned about (MIMO004) with the nearest known name.
/// </summary>
public sealed class MimoWriteSettings : Microsoft.Build.Utilities.Task
{
    internal const string SkipBackupName = "MimoSkipBackup";

    /// <summary>Each setting: item spec the name, <c>Value</c> the percent-encoded value to write, <c>Raw</c> the property as given.</summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>Every public property name of the package, for the typo warning.</summary>
    public string[] KnownProperties { get; set; } = [];

    /// <summary>The project's name, written for the record.</summary>
    public string ProjectName { get; set; } = "";

    /// <summary>The settings file.</summary>
    [Required]
    public string File { get; set; } = "";

    /// <inheritdoc />
    public override bool Execute()
    {
        var globals = BuildEngine is IBuildEngine6 engine ? engine.GetGlobalProperties() : new Dictionary<string, string>();
        var globalNames = new HashSet<string>(globals.Keys, StringComparer.OrdinalIgnoreCase);
        WarnAboutUnknown(globalNames.Concat(Environment.GetEnvironmentVariables().Keys.Cast<string>()));

        string? buildId = null;
        var lines = new List<string>();
        foreach (var setting in Settings)
        {
            var name = setting.ItemSpec;
            var value = Persisted(name, setting.GetMetadata("Value"), Uri.UnescapeDataString(setting.GetMetadata("Raw")), globalNames.Contains(name));
            if (name == SkipBackupName && value.Length > 0)
            {
                buildId = Guid.NewGuid().ToString("N");
            }

            lines.Add($"    \"{name}\": \"{value}\"");
        }

        var json = new StringBuilder()
            .Append("{\n  \"formatVersion\": 2,\n")
            .Append("  \"buildId\": \"").Append(buildId).Append("\",\n")
            .Append("  \"project\": \"").Append(Uri.EscapeDataString(ProjectName)).Append("\",\n")
            .Append("  \"settings\": {\n").Append(string.Join(",\n", lines)).Append("\n  }\n}\n")
            .ToString();

        // Only a changed file is written, so an unchanged build stays incremental (a skip always changes it).
        if (!System.IO.File.Exists(File) || System.IO.File.ReadAllText(File) != json)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(File))!);
            System.IO.File.WriteAllText(File, json);
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>The value to write: empty when it came from this command rather than from a project file.</summary>
    internal static string Persisted(string name, string encodedValue, string raw, bool isGlobal)
    {
        if (raw.Length == 0)
        {
            return "";
        }

        if (isGlobal)
        {
            return name == SkipBackupName ? encodedValue : "";
        }

        // MSBuild reads environment variables as properties; a project that sets the same value loses nothing,
        // because the runtime reads the environment itself while the variable is set.
        var environment = Environment.GetEnvironmentVariable(name);
        return environment is not null && environment == raw ? "" : encodedValue;
    }

    private void WarnAboutUnknown(IEnumerable<string> names)
    {
        var known = new HashSet<string>(KnownProperties, StringComparer.OrdinalIgnoreCase);
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
        {
            if (name.Length > 4 && name.StartsWith("Mimo", StringComparison.Ordinal) && char.IsUpper(name[4]) && !known.Contains(name))
            {
                var nearest = KnownProperties.OrderBy(k => MimoBackup.EfCore.Configuration.EditDistance.Of(k.ToLowerInvariant(), name.ToLowerInvariant())).FirstOrDefault();
                Log.LogWarning(null, "MIMO004", null, null, 0, 0, 0, 0,
                    "'{0}' is not a MimoBackup setting, so it does nothing{1}. The settings are listed in the package's README.",
                    name, nearest is null ? "" : $"; did you mean '{nearest}'?");
            }
        }
    }
}
