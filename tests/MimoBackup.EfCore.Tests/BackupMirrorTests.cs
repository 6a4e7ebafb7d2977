using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>MimoMirrorDir on real folders: a verified copy, or a loud warning and nothing worse.</summary>
public sealed class BackupMirrorTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public BackupMirrorTests() => TempFolder.CreateNotes(Database, rows: 200);

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private string Mirror => _temp.File("mirror");

    private BackupResult Take(TimeSpan age) => BackupPruneTests.Take(Database, Backups, _now - age);

    [Fact]
    public void Copy_after_one_that_stopped_before_its_sidecar_finishes_it()
    {
        var backup = Take(TimeSpan.Zero);
        BackupMirror.Copy(backup, Mirror, _now);
        var mirrored = Path.Combine(Mirror, Path.GetFileName(backup.Path));
        File.Delete(mirrored + BackupSidecar.Suffix);

        var result = BackupMirror.Copy(backup, Mirror, _now);

        Assert.True(result.Ok);
        Assert.Equal(File.ReadAllBytes(backup.SidecarPath), File.ReadAllBytes(mirrored + BackupSidecar.Suffix));
    }

    [Fact]
    public void Copy_writes_the_backup_and_its_sidecar_and_the_copy_matches_the_sidecar_hash()
    {
        var backup = Take(TimeSpan.Zero);

        var result = BackupMirror.Copy(backup, Mirror, _now);

        Assert.True(result.Ok);
        Assert.Empty(result.Warnings);
        var mirrored = Path.Combine(Mirror, Path.GetFileName(backup.Path));
        Assert.Equal(mirrored, result.MirrorPath);
        Assert.Equal(backup.Sidecar.Sha256, TempFolder.Hash(mirrored));
        Assert.Equal(File.ReadAllBytes(backup.SidecarPath), File.ReadAllBytes(mirrored + BackupSidecar.Suffix));
        Assert.Equal(2, Directory.GetFiles(Mirror).Count(f => !f.EndsWith(".gitignore", StringComparison.Ordinal))); // No temporary file is left behind.
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(mirrored));
        }

        var line = Assert.Single(new AuditLog(Backups).Read());
        Assert.Equal("mirror", (string?)line["event"]);
        Assert.Equal("ok", (string?)line["result"]);
        Assert.Equal(Path.GetFileName(backup.Path), (string?)line["backup"]);
    }

    [Fact]
    public void Copy_to_a_folder_that_cannot_exist_is_a_MIMO401_warning_and_not_fatal()
    {
        var backup = Take(TimeSpan.Zero);
        // A folder below a regular file cannot be created, even by root (chmod would not stop root).
        var blocker = _temp.File("blocker");
        File.WriteAllText(blocker, "a file, not a folder");

        var result = BackupMirror.Copy(backup, Path.Combine(blocker, "mirror"), _now);

        Assert.False(result.Ok);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("MIMO401", warning.Error.Code);
        Assert.Contains(Path.GetFileName(backup.Path), warning.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(backup.Path) && File.Exists(backup.SidecarPath));
        var line = Assert.Single(new AuditLog(Backups).Read());
        Assert.Equal("mirror", (string?)line["event"]);
        Assert.Equal("failed", (string?)line["result"]);
        Assert.StartsWith("MIMO401", (string?)line["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public void Copy_twice_is_harmless_and_a_different_file_of_that_name_is_never_overwritten()
    {
        var backup = Take(TimeSpan.Zero);
        Assert.True(BackupMirror.Copy(backup, Mirror, _now).Ok);

        Assert.True(BackupMirror.Copy(backup, Mirror, _now).Ok);

        var mirrored = Path.Combine(Mirror, Path.GetFileName(backup.Path));
        File.WriteAllText(mirrored, "someone else's file");
        var result = BackupMirror.Copy(backup, Mirror, _now);
        Assert.Equal("MIMO401", Assert.Single(result.Warnings).Error.Code);
        Assert.Equal("someone else's file", File.ReadAllText(mirrored));
    }

    [Fact]
    public void Prune_on_the_mirror_folder_applies_the_same_policy()
    {
        var recent = Take(TimeSpan.FromDays(2));
        var expired = Take(TimeSpan.FromDays(45));
        foreach (var backup in new[] { recent, expired })
        {
            Assert.True(BackupMirror.Copy(backup, Mirror, _now).Ok);
        }

        var result = BackupPrune.Run(Mirror, new RetentionPolicy(Days: 30, Months: 0), _now, dryRun: false);

        Assert.Equal([Path.GetFileName(expired.Path)], result.Deleted.Select(d => d.Name));
        Assert.False(File.Exists(Path.Combine(Mirror, Path.GetFileName(expired.Path))));
        Assert.True(File.Exists(Path.Combine(Mirror, Path.GetFileName(recent.Path))));
        Assert.True(File.Exists(expired.Path)); // The backup folder itself is pruned on its own.
        Assert.Equal("prune", (string?)Assert.Single(new AuditLog(Mirror).Read())["event"]);
    }
}
