using Microsoft.Build.Framework;

namespace MimoBackup.EfCore.Tasks;

/// <summary>
/// Picks out of a project's items the files that hold a database's data and must never reach <c>bin/</c> or a
/// publish folder: everything in a folder Mimo keeps backups in (it carries Mimo's <c>.gitignore</c>), sidecars,
/// audit logs and export files (recognised by their first bytes, <c>{"format":"mimo-export"</c>).
/// </summary>
public sealed class MimoFindDataFiles : Microsoft.Build.Utilities.Task
{
    private const string GitIgnoreFirstLine = "# Written by MimoBackup.EfCore";
    private static readonly byte[] ExportStart = "{\"format\":\"mimo-export\""u8.ToArray();

    /// <summary>The candidates, usually <c>@(Content)</c> and <c>@(None)</c>.</summary>
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>The candidates that are Mimo's data files.</summary>
    [Output]
    public ITaskItem[] DataFiles { get; private set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        var backupFolders = new Dictionary<string, bool>(StringComparer.Ordinal);
        DataFiles = Files.Where(item => IsDataFile(item.GetMetadata("FullPath"), backupFolders)).ToArray();
        return true;
    }

    internal static bool IsDataFile(string path, Dictionary<string, bool> backupFolders)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".db.meta.json", StringComparison.Ordinal) || name == "audit.jsonl")
        {
            return true;
        }

        var folder = Path.GetDirectoryName(path) ?? "";
        if (!backupFolders.TryGetValue(folder, out var isBackupFolder))
        {
            backupFolders[folder] = isBackupFolder = StartsWith(Path.Combine(folder, ".gitignore"), System.Text.Encoding.UTF8.GetBytes(GitIgnoreFirstLine));
        }

        return isBackupFolder || (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && StartsWith(path, ExportStart));
    }

    private static bool StartsWith(string path, byte[] start)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            using var stream = File.OpenRead(path);
            var buffer = new byte[start.Length];
            var read = 0;
            while (read < buffer.Length && stream.Read(buffer, read, buffer.Length - read) is var n and > 0)
            {
                read += n;
            }

            return read == buffer.Length && buffer.AsSpan().SequenceEqual(start);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
