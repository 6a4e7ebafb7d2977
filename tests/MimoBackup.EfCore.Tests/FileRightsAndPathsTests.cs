using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>What the package writes keeps the right modes, and any path a user can have works (issue 12, items 1 and 2).</summary>
public sealed class FileRightsAndPathsTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Shared = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static MimoExitCode Run(string verb, CommandTarget target, RecordingOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(verb, target, new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)), output, TimeProvider.System, CancellationToken.None);

    private static CommandTarget Target(string database, MimoSettings? settings = null)
        => CommandTarget.ForFile(database, settings ?? new MimoSettings()) with { BusyTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public void Restore_into_a_healthy_database_keeps_its_0644_mode()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes only.
        }

        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 50);
        File.SetUnixFileMode(database, Shared);
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(database), new RecordingOutput(), ("BackupName", "good")));

        Assert.Equal(MimoExitCode.Done, Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", "good")));

        Assert.Equal(Shared, File.GetUnixFileMode(database));
        AssertEverythingInTheBackupFolderIsOwnerOnly(_temp.File("backups"));
    }

    [Fact]
    public void Restore_over_a_damaged_database_keeps_its_mode_and_keeps_its_bytes_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes only.
        }

        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 50);
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(database), new RecordingOutput(), ("BackupName", "good")));
        using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            file.Write("garbage garbage garbage"u8);
        }

        var damaged = File.ReadAllBytes(database);
        var mode = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead;
        File.SetUnixFileMode(database, mode);

        Assert.Equal(MimoExitCode.Done, Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", "good")));

        Assert.Equal(50, TempFolder.Scalar(database, "SELECT count(*) FROM Notes"));
        Assert.Equal(mode, File.GetUnixFileMode(database));
        var kept = Assert.Single(Directory.GetFiles(_temp.File("backups"), "pre-restore_*.db"));
        Assert.Equal(damaged, File.ReadAllBytes(kept));
        AssertEverythingInTheBackupFolderIsOwnerOnly(_temp.File("backups"));
    }

    [Fact]
    public void Restore_over_a_damaged_database_keeps_its_owner_and_group_when_run_as_root()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 20);
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(database), new RecordingOutput(), ("BackupName", "good")));
        using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            file.Write("garbage garbage garbage"u8);
        }

        if (OperatingSystem.IsWindows() || Environment.UserName != "root" || Exec("chown", "65534:65534", database) != "")
        {
            return; // Giving a file to another user needs root.
        }

        Assert.Equal(MimoExitCode.Done, Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", "good")));

        Assert.Equal(20, TempFolder.Scalar(database, "SELECT count(*) FROM Notes"));
        Assert.Equal("65534:65534", Exec("stat", "-c", "%u:%g", database).Trim());
    }

    private static string Exec(string file, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [Fact]
    public void Restore_into_a_missing_database_gives_it_the_mode_of_a_new_file_not_0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes only.
        }

        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 5);
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(database), new RecordingOutput(), ("BackupName", "good")));
        File.Delete(database);
        var fresh = _temp.File("fresh.txt");
        File.WriteAllText(fresh, "");

        Assert.Equal(MimoExitCode.Done, Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", "good")));

        Assert.Equal(File.GetUnixFileMode(fresh), File.GetUnixFileMode(database));
    }

    [Fact]
    public void Backup_folder_and_mirror_created_by_any_path_are_0700_with_0600_files()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes only.
        }

        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 5);
        var settings = new MimoSettings { BackupDir = _temp.File("deep/backups"), MirrorDir = _temp.File("far/mirror") };

        // The audit log is the first thing written here: a refused restore creates the folder.
        Assert.Throws<MimoBackupException>(() => Run("restore", Target(database, settings), new RecordingOutput(), ("RestoreFrom", _temp.File("missing.db"))));
        new AuditLog(settings.BackupDir).Append("test", [], DateTimeOffset.UtcNow);
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(database, settings), new RecordingOutput()));

        foreach (var folder in new[] { settings.BackupDir, settings.MirrorDir })
        {
            Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            AssertEverythingInTheBackupFolderIsOwnerOnly(folder);
        }
    }

    [Theory]
    [InlineData("pct%41dir")]
    [InlineData("what?dir")]
    [InlineData("hash#dir")]
    [InlineData("with space")]
    [InlineData("ünïcødé データ")]
    [InlineData("all %20 ?x=1 #frag é")]
    public void Backup_verify_list_and_restore_work_under_a_folder_name_a_uri_would_mangle(string name)
    {
        Directory.CreateDirectory(_temp.File(name));
        var database = _temp.File(Path.Combine(name, "app.db"));
        TempFolder.CreateNotes(database, rows: 30);
        var target = Target(database);

        Assert.Equal(MimoExitCode.Done, Run("backup", target, new RecordingOutput(), ("BackupName", "odd")));
        var verify = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("verify", target, verify));
        Assert.Empty(verify.Errors);
        using (var connection = TempFolder.Open(database))
        {
            TempFolder.Execute(connection, "DELETE FROM Notes");
        }

        Assert.Equal(MimoExitCode.Done, Run("restore", target, new RecordingOutput(), ("RestoreFrom", "odd")));
        Assert.Equal(30, TempFolder.Scalar(database, "SELECT count(*) FROM Notes"));
    }

    [Fact]
    public void FileUri_is_decoded_by_sqlite_back_to_the_exact_path()
    {
        Directory.CreateDirectory(_temp.File("a%41b"));
        var real = _temp.File(Path.Combine("a%41b", "x.db"));
        Directory.CreateDirectory(_temp.File("aAb"));
        var decoy = _temp.File(Path.Combine("aAb", "x.db"));
        TempFolder.CreateNotes(real, rows: 7);
        TempFolder.CreateNotes(decoy, rows: 3);

        using var connection = SqliteFacts.OpenImmutable(real);

        Assert.Equal(7L, SqliteFacts.Scalar<long>(connection, "SELECT count(*) FROM Notes"));
    }

    [Fact]
    public void Backup_folder_equal_to_the_database_folder_lists_verifies_and_prunes_only_backups()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 20);
        File.WriteAllText(_temp.File("notes.db"), "the app's other file, not a backup");
        var target = Target(database, new MimoSettings { BackupDir = _temp.Path });
        var before = TempFolder.Hash(database);

        Assert.Equal(MimoExitCode.Done, Run("backup", target, new RecordingOutput()));
        var verify = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("verify", target, verify));
        var list = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("list", target, list));
        var status = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("status", target, status));
        Assert.Equal(MimoExitCode.Done, Run("prune", target, new RecordingOutput()));

        Assert.Empty(verify.Errors);
        Assert.Contains(verify.Information, l => l.Contains("1 of 1 backup passed", StringComparison.Ordinal));
        Assert.Empty(list.Warnings);
        Assert.DoesNotContain(list.Information, l => l.StartsWith("app.db", StringComparison.Ordinal) || l.StartsWith("notes.db", StringComparison.Ordinal));
        Assert.DoesNotContain(status.Warnings, w => w.Contains("incomplete", StringComparison.Ordinal));
        Assert.Equal(before, TempFolder.Hash(database));
        Assert.True(File.Exists(_temp.File("notes.db")));

        // A '*' .gitignore would hide the app's own files from git and publish: a shared folder gets none.
        Assert.False(File.Exists(_temp.File(".gitignore")));
    }

    [Fact]
    public void An_existing_backup_folder_holding_only_backups_still_gets_its_gitignore()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 5);
        Directory.CreateDirectory(_temp.File("backups"));
        File.WriteAllText(_temp.File("backups/audit.jsonl"), "");

        Assert.Equal(MimoExitCode.Done, Run("backup", Target(database), new RecordingOutput()));

        Assert.Equal(BackupFolder.GitIgnoreContent, File.ReadAllText(_temp.File("backups/.gitignore")));
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void AssertEverythingInTheBackupFolderIsOwnerOnly(string folder)
    {
        var files = Directory.GetFiles(folder);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.True(File.GetUnixFileMode(file) == OwnerOnly, $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}");
        }
    }
}
