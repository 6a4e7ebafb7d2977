using System.Diagnostics;
using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>MimoNotifyCommand with real shell commands: the event arrives as JSON, failures are warnings.</summary>
public sealed class NotifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 4, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private AuditLog Audit => new(_temp.Path);

    private static JsonObject Skip() => Notifier.Skip("/data/app.db", "MimoSkipBackup=true from the environment", Now);

    [Fact]
    public void Notify_command_receives_the_event_as_json_on_standard_input()
    {
        var received = _temp.File("event with space.json");

        var warnings = Notifier.Notify(Skip(), $"cat > '{received}'", Audit, Now);

        Assert.Empty(warnings);
        var evt = JsonNode.Parse(File.ReadAllText(received))!.AsObject();
        Assert.Equal("skip", (string?)evt["event"]);
        Assert.Equal("/data/app.db", (string?)evt["database"]);
        Assert.Equal("MimoSkipBackup=true from the environment", (string?)evt["reason"]);
        Assert.Equal("2026-04-15T12:00:00.0000000Z", (string?)evt["at"]);
        Assert.Empty(Audit.Read());
    }

    [Fact]
    public void Notify_failing_command_is_a_MIMO402_warning_recorded_in_the_audit_log()
    {
        var warnings = Notifier.Notify(Skip(), "echo 'no route to host' >&2; exit 3", Audit, Now);

        var warning = Assert.Single(warnings);
        Assert.Equal("MIMO402", warning.Error.Code);
        Assert.Contains("exited with code 3 (no route to host)", warning.Message, StringComparison.Ordinal);
        var line = Assert.Single(Audit.Read());
        Assert.Equal("notify-failed", (string?)line["event"]);
        Assert.Equal("skip", (string?)line["for"]);
        Assert.Equal("echo 'no route to host' >&2; exit 3", (string?)line["command"]);
    }

    [Fact]
    public void Notify_hanging_command_is_stopped_at_the_timeout_and_reported()
    {
        var clock = Stopwatch.StartNew();

        var warnings = Notifier.Notify(Skip(), "sleep 60", Audit, Now, TimeSpan.FromSeconds(1));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Contains("did not finish within 1 s", Assert.Single(warnings).Message, StringComparison.Ordinal);
        Assert.Equal("notify-failed", (string?)Assert.Single(Audit.Read())["event"]);
    }

    [Fact]
    public void Notify_command_that_leaves_a_background_child_does_not_wait_for_it()
    {
        var clock = Stopwatch.StartNew();

        var warnings = Notifier.Notify(Skip(), "sleep 5 & exit 0", Audit, Now, TimeSpan.FromSeconds(30));

        Assert.Empty(warnings);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Notify_command_that_ignores_its_input_succeeds()
    {
        Assert.Empty(Notifier.Notify(Skip(), "true", Audit, Now));
    }

    [Fact]
    public void Notify_without_a_command_does_nothing()
    {
        Assert.Empty(Notifier.Notify(Skip(), null, Audit, Now));
        Assert.Empty(Notifier.Notify(Skip(), " ", Audit, Now));
        Assert.False(File.Exists(Audit.Path));
    }

    [Fact]
    public void Notify_unwritable_audit_log_adds_a_warning_and_still_does_not_throw()
    {
        var blocker = _temp.File("blocker");
        File.WriteAllText(blocker, "a file, not a folder");

        var warnings = Notifier.Notify(Skip(), "exit 1", new AuditLog(Path.Combine(blocker, "backups")), Now);

        Assert.Equal(["MIMO402", "MIMO107"], warnings.Select(w => w.Error.Code));
    }

    [Fact]
    public void Backup_event_names_file_size_hash_and_verification()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 10);
        var backup = BackupWriter.Take(TempFolder.Request(database, _temp.File("backups")), CancellationToken.None);

        var evt = Notifier.Backup(backup, Now);

        Assert.Equal(backup.Sidecar.Sha256, (string?)evt["sha256"]);
        Assert.Equal(backup.Path, (string?)evt["backup"]);
        Assert.Equal(backup.Sidecar.SizeBytes, (long?)evt["sizeBytes"]);
    }
}
