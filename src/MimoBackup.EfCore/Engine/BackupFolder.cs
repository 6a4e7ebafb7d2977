namespace MimoBackup.EfCore.Engine;

/// <summary>How every backup folder and mirror is made: owner-only, with a <c>.gitignore</c> of its own.</summary>
internal static class BackupFolder
{
    /// <summary>What the folder's <c>.gitignore</c> says, so that <c>git add</c> never picks up a copy of the data.</summary>
    internal const string GitIgnoreContent = "# Written by MimoBackup.EfCore: backups, sidecars and the audit log hold your data; keep them out of git.\n*\n";

    /// <summary>
    /// Creates the folder readable by its owner only (an existing one keeps its mode) and gives it its own
    /// <c>.gitignore</c> unless it has one.
    /// </summary>
    public static void Prepare(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var gitIgnore = Path.Combine(folder, ".gitignore");
        if (File.Exists(gitIgnore))
        {
            return;
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(gitIgnore, options);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(GitIgnoreContent));
        }
        catch (IOException) when (File.Exists(gitIgnore))
        {
            // Another process wrote it first, with the same words.
        }
    }
}
