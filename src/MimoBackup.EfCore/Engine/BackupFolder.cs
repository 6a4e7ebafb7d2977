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
        var existed = Directory.Exists(folder);
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

        // A folder shared with other files (MimoBackupDir set to the database's own folder, inside a project) is not
        // ours to hide: a '*' there would keep the app's own files out of git and out of publish too.
        if (existed && Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Any(name => !IsOurs(name!)))
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

    /// <summary>A name Mimo writes in a backup folder: a backup, its sidecar or -wal, the audit log, a temporary file.</summary>
    private static bool IsOurs(string name)
        => name == AuditLog.FileName
            || name.EndsWith(BackupSidecar.Suffix, StringComparison.Ordinal)
            || name.Contains(BackupWriter.TemporarySuffix, StringComparison.Ordinal)
            || BackupCatalog.IsBackupName(name.EndsWith("-wal", StringComparison.Ordinal) ? name[..^4] : name);
}
