using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// Issue 5 through its front-ends, on real files: the prune target, retention in the list, the mirror after manual and
/// automatic backups (and list/restore from it), notifications and their command.
/// </summary>
public sealed class RetentionCommandsTests : IDisposable
{
    // Backups dated by a fixed clock; "now" is in April, so January and February are older than 30 days.
    private static readonly DateTimeOffset Now = new(2026, 4, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset[] Dates =
    [
        new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero),   // expired: January's newest is the 20th
        new(2026, 1, 20, 9, 0, 0, TimeSpan.Zero),  // monthly 2026-01
        new(2026, 2, 10, 9, 0, 0, TimeSpan.Zero),  // expired: February's newest is the 12th
        new(2026, 2, 12, 9, 0, 0, TimeSpan.Zero),  // monthly 2026-02
        new(2026, 4, 1, 9, 0, 0, TimeSpan.Zero),   // within 30 days
    ];

    private readonly TempFolder _temp = new();

    public RetentionCommandsTests() => TempFolder.CreateNotes(Database, rows: 20);

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private string Mirror => _temp.File("mirror");

    private CommandTarget Target(MimoSettings? settings = null)
        => CommandTarget.ForFile(Database, settings ?? new MimoSettings()) with { BusyTimeout = TimeSpan.FromSeconds(5) };

    private static MimoExitCode Run(string verb, CommandTarget target, RecordingOutput output, DateTimeOffset? now = null, params (string Name, string Value)[] options)
        => ManualCommands.Run(verb, target, new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)), output,
            now is { } at ? new FixedClock(at) : TimeProvider.System, CancellationToken.None);

    /// <summary>The five dated backups, taken without automatic prune; returns their file names, oldest first.</summary>
    private string[] TakeDatedBackups(MimoSettings? settings = null)
    {
        var target = Target((settings ?? new MimoSettings()) with { AutoPrune = false });
        foreach (var date in Dates)
        {
            Assert.Equal(MimoExitCode.Done, Run("backup", target, new RecordingOutput(), date));
        }

        return [.. Dates.Select(d => $"backup_{d:yyyyMMdd_HHmmss}.db")];
    }

    private static string[] Names(string folder) => Directory.Exists(folder) ? [.. Directory.GetFiles(folder, "*.db").Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    [Fact]
    public void Prune_dry_run_prints_every_decision_with_its_reason_and_the_real_run_deletes_exactly_those()
    {
        var names = TakeDatedBackups();
        var leftover = Path.Combine(Backups, ".backup_20260101_000000.1234abcd.tmp");
        File.WriteAllText(leftover, "half a copy");
        File.SetLastWriteTimeUtc(leftover, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var dry = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("prune", Target(), dry, Now, ("DryRun", "true")));

        Assert.Equal(names, Names(Backups));
        Assert.True(File.Exists(leftover));
        Assert.Contains(dry.Information, l => l.Contains("dry run, nothing is deleted", StringComparison.Ordinal));
        Assert.Contains(dry.Information, l => l.Contains("would delete", StringComparison.Ordinal) && l.Contains(names[0], StringComparison.Ordinal) && l.EndsWith("expired", StringComparison.Ordinal));
        Assert.Contains(dry.Information, l => l.Contains("keep", StringComparison.Ordinal) && l.Contains(names[1], StringComparison.Ordinal) && l.EndsWith("monthly 2026-01", StringComparison.Ordinal));
        Assert.Contains(dry.Information, l => l.Contains("would delete", StringComparison.Ordinal) && l.Contains(names[2], StringComparison.Ordinal) && l.EndsWith("expired", StringComparison.Ordinal));
        Assert.Contains(dry.Information, l => l.Contains("keep", StringComparison.Ordinal) && l.Contains(names[3], StringComparison.Ordinal) && l.EndsWith("monthly 2026-02", StringComparison.Ordinal));
        Assert.Contains(dry.Information, l => l.Contains("keep", StringComparison.Ordinal) && l.Contains(names[4], StringComparison.Ordinal) && l.EndsWith("within 30 days", StringComparison.Ordinal));
        Assert.Contains(dry.Information, l => l.Contains("would delete", StringComparison.Ordinal) && l.Contains(Path.GetFileName(leftover), StringComparison.Ordinal) && l.EndsWith("incomplete leftover", StringComparison.Ordinal));
        Assert.Contains(dry.Information, l => l.StartsWith("Mimo: would prune 3 old backups", StringComparison.Ordinal));
        Assert.DoesNotContain(new AuditLog(Backups).Read(), l => (string?)l["event"] == "prune");

        var real = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("prune", Target(), real, Now));

        Assert.Equal([names[1], names[3], names[4]], Names(Backups));
        Assert.False(File.Exists(leftover));
        Assert.All(new[] { names[1], names[3], names[4] }, n => Assert.True(File.Exists(Path.Combine(Backups, n + BackupSidecar.Suffix))));
        Assert.Contains(real.Information, l => l.Contains("deleted", StringComparison.Ordinal) && l.Contains(names[0], StringComparison.Ordinal) && l.EndsWith("expired", StringComparison.Ordinal));
        Assert.Contains(real.Information, l => l.StartsWith("Mimo: pruned 3 old backups", StringComparison.Ordinal) && l.Contains("kept 3", StringComparison.Ordinal));
        Assert.DoesNotContain(real.Information, l => l.StartsWith("MimoBackup:", StringComparison.Ordinal)); // Said once, by the line above.
        var audit = new AuditLog(Backups).Read().Single(l => (string?)l["event"] == "prune");
        Assert.Equal(3, audit["deleted"]!.AsArray().Count);
        Assert.Empty(real.Warnings);
    }

    [Fact]
    public void List_shows_the_retention_status_of_every_backup_in_the_table_and_the_json()
    {
        var names = TakeDatedBackups();
        var table = new RecordingOutput();
        var json = new RecordingOutput();

        Run("list", Target(), table, Now);
        Run("list", Target(), json, Now, ("Output", "json"));

        Assert.Contains("RETENTION", table.Information.Single(l => l.StartsWith("NAME", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(table.Information, l => l.StartsWith(names[0], StringComparison.Ordinal) && l.EndsWith("prune deletes: expired", StringComparison.Ordinal));
        Assert.Contains(table.Information, l => l.StartsWith(names[1], StringComparison.Ordinal) && l.EndsWith("monthly 2026-01", StringComparison.Ordinal));
        Assert.Contains(table.Information, l => l.StartsWith(names[4], StringComparison.Ordinal) && l.EndsWith("within 30 days", StringComparison.Ordinal));
        var backups = JsonNode.Parse(Assert.Single(json.Information))!["backups"]!.AsArray();
        var first = backups.Single(b => (string?)b!["name"] == names[0])!["retention"]!;
        Assert.False((bool)first["keep"]!);
        Assert.Equal(RetentionPolicy.Expired, (string?)first["reason"]);
        Assert.Equal("kept: monthly 2026-02", (string?)backups.Single(b => (string?)b!["name"] == names[3])!["retention"]!["reason"]);
        Assert.Equal(names, Names(Backups)); // Listing decides, never deletes.
    }

    [Fact]
    public void Backup_is_mirrored_and_the_mirror_can_be_listed_restored_from_and_pruned_alone()
    {
        var settings = new MimoSettings { MirrorDir = Mirror };
        var names = TakeDatedBackups(settings);
        Assert.Equal(names, Names(Mirror));
        Assert.All(names, n => Assert.Equal(TempFolder.Hash(Path.Combine(Backups, n)), TempFolder.Hash(Path.Combine(Mirror, n))));
        Assert.Equal(Dates.Length, new AuditLog(Backups).Read().Count(l => (string?)l["event"] == "mirror" && (string?)l["result"] == "ok"));

        var list = new RecordingOutput();
        Run("list", Target(settings), list, Now, ("Source", "mirror"));
        Assert.Contains(list.Information, l => l.Contains("in " + Mirror, StringComparison.Ordinal) || l.Contains("in mirror", StringComparison.Ordinal));
        Assert.Equal(Dates.Length, list.Information.Count(l => l.StartsWith("backup_", StringComparison.Ordinal)));

        // The backup folder is lost; the mirror still restores by name.
        foreach (var file in Directory.GetFiles(Backups, "*.db*"))
        {
            File.Delete(file);
        }

        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "DELETE FROM Notes");
        }

        var restore = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("restore", Target(settings), restore, Now, ("RestoreFrom", names[4]), ("Source", "mirror")));
        Assert.Equal(20, TempFolder.Scalar(Database, "SELECT count(*) FROM Notes"));
        Assert.Single(restore.Information, l => l.Contains("restored", StringComparison.Ordinal) && l.Contains(names[4], StringComparison.Ordinal));
        Assert.Single(restore.Information, l => l.Contains("To undo:", StringComparison.Ordinal));
        var preRestore = Assert.Single(Names(Backups), n => n.StartsWith("pre-restore_", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Mirror, preRestore + BackupSidecar.Suffix))); // Every verified backup is mirrored.

        // Without the backup folder's name the restore of an unknown name fails as before.
        Assert.Equal("MIMO202", Assert.Throws<MimoBackupException>(() => Run("restore", Target(settings), new RecordingOutput(), options: [("RestoreFrom", names[4])])).Error.Code);

        var prune = new RecordingOutput();
        Run("prune", Target(settings), prune, Now, ("Source", "mirror"));
        Assert.DoesNotContain(names[0], Names(Mirror));
        Assert.Contains(names[1], Names(Mirror));
        Assert.Single(Names(Backups)); // Only the mirror was pruned.
    }

    [Fact]
    public void Source_mirror_without_MirrorDir_is_MIMO209_and_an_unknown_source_MIMO001()
    {
        var missing = Assert.Throws<MimoBackupException>(() => Run("list", Target(), new RecordingOutput(), options: [("Source", "mirror")]));
        var unknown = Assert.Throws<MimoBackupException>(() => Run("prune", Target(), new RecordingOutput(), options: [("Source", "cloud")]));

        Assert.Equal("MIMO209", missing.Error.Code);
        Assert.Contains("MimoMirrorDir", missing.Message, StringComparison.Ordinal);
        Assert.Equal("MIMO001", unknown.Error.Code);
        Assert.Contains("MimoSource", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_whose_mirror_fails_warns_MIMO401_and_succeeds_and_then_prunes_in_one_line()
    {
        var names = TakeDatedBackups();
        var blocker = _temp.File("blocker");
        File.WriteAllText(blocker, "a file, not a folder"); // A folder below a file cannot be created, even by root.
        var output = new RecordingOutput();

        var exit = Run("backup", Target(new MimoSettings { MirrorDir = Path.Combine(blocker, "mirror") }), output, Now);

        Assert.Equal(MimoExitCode.Done, exit);
        Assert.Contains(output.Warnings, w => w.Contains("MIMO401", StringComparison.Ordinal));
        Assert.Single(output.Information, l => l.StartsWith("Mimo: verified backup", StringComparison.Ordinal));
        Assert.DoesNotContain(output.Information, l => l.Contains("backed up", StringComparison.Ordinal));
        Assert.Single(output.Information, l => l.StartsWith("Mimo: pruned 2 old backups", StringComparison.Ordinal));
        Assert.Equal(4, Names(Backups).Length);
        Assert.DoesNotContain(names[0], Names(Backups));
        var mirror = new AuditLog(Backups).Read().Single(l => (string?)l["event"] == "mirror");
        Assert.Equal("failed", (string?)mirror["result"]);
    }

    [Fact]
    public void Notify_command_gets_the_backup_event_as_json_and_its_failure_is_a_MIMO402_warning()
    {
        var events = _temp.File("events");
        Directory.CreateDirectory(events);
        var output = new RecordingOutput();

        Run("backup", Target(new MimoSettings { NotifyCommand = $"cat > \"$(mktemp '{events}/event.XXXXXX')\"", NotifyOnBackup = false }), new RecordingOutput());
        Assert.Empty(Directory.GetFiles(events)); // Notifications off: the command is not run.

        Run("backup", Target(new MimoSettings { NotifyCommand = $"cat > \"$(mktemp '{events}/event.XXXXXX')\"" }), output);

        Assert.DoesNotContain(output.Information, l => l.StartsWith("MimoBackup:", StringComparison.Ordinal));
        var received = Directory.GetFiles(events).Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject()).ToList();
        var backup = Assert.Single(received, e => (string?)e["event"] == "backup");
        Assert.Equal(Database, (string?)backup["database"]);
        Assert.Contains(Path.GetFileName((string?)backup["backup"])!, Names(Backups));
        Assert.Equal(64, ((string?)backup["sha256"])!.Length);
        Assert.Contains(received, e => (string?)e["event"] == "prune");

        var failing = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(new MimoSettings { NotifyCommand = "exit 7" }), failing));
        Assert.Contains(failing.Warnings, w => w.Contains("MIMO402", StringComparison.Ordinal) && w.Contains("exited with code 7", StringComparison.Ordinal));
        Assert.Equal(3, Names(Backups).Length);
        Assert.Contains(new AuditLog(Backups).Read(), l => (string?)l["event"] == Notifier.FailedAuditEvent && (string?)l["for"] == "backup");
    }

    [Fact]
    public void Migrate_with_a_mirror_that_fails_warns_MIMO401_migrates_notifies_and_prunes()
    {
        var blocker = _temp.File("blocker");
        File.WriteAllText(blocker, "a file, not a folder");
        var events = _temp.File("events");
        Directory.CreateDirectory(events);
        File.Delete(Database);
        using (var first = new RuntimeContext("Data Source=" + Database, Backups, []))
        {
            first.Database.Migrate(RuntimeMigrations.First);
        }

        var lines = new List<string>();
        using (var context = new RuntimeContext("Data Source=" + Database, Backups, lines, o => o
            .MirrorDirectory(Path.Combine(blocker, "mirror"))
            .NotifyCommand($"cat > \"$(mktemp '{events}/event.XXXXXX')\"")))
        {
            context.Database.Migrate();
        }

        Assert.Contains("Title", string.Join(",", DatabaseContent.Columns(Database, TimeSpan.FromSeconds(1))["Notes"]), StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("Mimo: MIMO401", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("Mimo: verified backup", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("Mimo: prune removed nothing", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(Backups, "*.db"));
        var audit = new AuditLog(Backups).Read().ToList();
        Assert.Contains(audit, l => (string?)l["event"] == "mirror" && (string?)l["result"] == "failed");
        Assert.Contains(audit, l => (string?)l["event"] == "prune");
        Assert.All(audit, l => Assert.EndsWith("Z", (string?)l["at"], StringComparison.Ordinal));
        var received = Directory.GetFiles(events).Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject()).ToList();
        Assert.Contains(received, e => (string?)e["event"] == "backup" && (string?)e["kind"] == BackupKind.PreMigration);
    }

    [Fact]
    public void Drop_refusal_is_notified_on_the_output_and_to_the_command()
    {
        var events = _temp.File("events");
        Directory.CreateDirectory(events);
        var lines = new List<string>();
        using var context = new RuntimeContext("Data Source=" + Database, Backups, lines, o => o
            .SkipBackup().NotifyCommand($"cat > \"$(mktemp '{events}/event.XXXXXX')\""));

        Assert.Equal("MIMO302", Assert.Throws<MimoBackupException>(() => context.Database.EnsureDeleted()).Error.Code);

        Assert.DoesNotContain(lines, l => l.Contains("MIMO302", StringComparison.Ordinal)); // The exception says it, once.
        var evt = JsonNode.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(events))))!;
        Assert.Equal("refusal", (string?)evt["event"]);
        Assert.Equal("MIMO302", (string?)evt["code"]);
        Assert.True(File.Exists(Database));
    }
}
