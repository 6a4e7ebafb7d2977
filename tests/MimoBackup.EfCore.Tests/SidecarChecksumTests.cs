using System.Text.Json.Nodes;
using System.Text;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>Sidecars are tamper-evident, and a failed verification is remembered (issue 12, item 4).</summary>
public sealed class SidecarChecksumTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private CommandTarget Target => CommandTarget.ForFile(Database, new MimoSettings()) with { BusyTimeout = TimeSpan.FromSeconds(5) };

    private MimoExitCode Run(string verb, RecordingOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(verb, Target, new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)), output, TimeProvider.System, CancellationToken.None);

    private string TakeBackup(string name)
    {
        Assert.Equal(MimoExitCode.Done, Run("backup", new RecordingOutput(), ("BackupName", name)));
        return Directory.GetFiles(Backups, name + "_*.db").Single();
    }

    [Fact]
    public void Every_single_byte_flip_in_a_sidecar_fails_verify_with_MIMO206_naming_the_sidecar()
    {
        TempFolder.CreateNotes(Database, rows: 100);
        var backup = TakeBackup("flips");
        var sidecar = backup + BackupSidecar.Suffix;
        var original = File.ReadAllBytes(sidecar);
        var random = new Random(12);
        var missed = new List<string>();

        for (var i = 0; i < 100; i++)
        {
            var bytes = (byte[])original.Clone();
            var at = random.Next(bytes.Length);
            bytes[at] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(sidecar, bytes);
            var output = new RecordingOutput();

            var exit = Run("verify", output);

            if (exit != MimoExitCode.VerificationFailed || output.Errors is not [{ Error.Code: "MIMO206" } error]
                || !error.Message.Contains(Path.GetFileName(sidecar), StringComparison.Ordinal))
            {
                missed.Add($"byte {at} ({(char)original[at]}): exit {exit}, {string.Join(" | ", output.Lines)}");
            }
        }

        File.WriteAllBytes(sidecar, original);
        Assert.Empty(missed);
        Assert.Equal(MimoExitCode.Done, Run("verify", new RecordingOutput()));
    }

    [Theory]
    [InlineData("\"passed\": true", "\"passed\": false")]
    [InlineData("\"rows\": 100", "\"rows\": 99")]
    [InlineData("\"Body\": 75", "\"Body\": 74")]
    public void An_edited_sidecar_fails_verify_restore_and_is_no_restore_point(string from, string to)
    {
        TempFolder.CreateNotes(Database, rows: 100);
        var backup = TakeBackup("edited");
        var sidecar = backup + BackupSidecar.Suffix;
        var text = File.ReadAllText(sidecar);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(sidecar, text.Replace(from, to, StringComparison.Ordinal));
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.VerificationFailed, Run("verify", output));

        var error = Assert.Single(output.Errors);
        Assert.Equal("MIMO206", error.Error.Code);
        Assert.Contains(Path.GetFileName(sidecar) + " was changed after it was written", error.Message, StringComparison.Ordinal);
        Assert.Null(BackupCatalog.NewestVerified(BackupCatalog.Read(Backups)));
        var refusal = Assert.Throws<MimoBackupException>(() => Run("restore", new RecordingOutput(), ("RestoreFrom", backup)));
        Assert.Equal("MIMO203", refusal.Error.Code);
    }

    [Fact]
    public void A_format_1_sidecar_without_checksum_still_verifies_but_its_counts_are_checked_column_by_column()
    {
        TempFolder.CreateNotes(Database, rows: 100);
        var backup = TakeBackup("old");
        var sidecar = backup + BackupSidecar.Suffix;
        var json = JsonNode.Parse(File.ReadAllText(sidecar))!.AsObject();
        json.Remove("checksum");
        json["formatVersion"] = 1;
        File.WriteAllText(sidecar, json.ToJsonString());
        var ok = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("verify", ok));
        Assert.Contains(ok.Information, l => l.Contains("without a checksum of its own", StringComparison.Ordinal));

        var notes = json["tables"]!.AsArray().Single(t => (string?)t!["name"] == "Notes")!;
        notes["columns"]!["Body"] = 74;
        File.WriteAllText(sidecar, json.ToJsonString());
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.VerificationFailed, Run("verify", output));
        Assert.Contains("Notes.Body: 74 non-null values expected, 75 found", Assert.Single(output.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_2_sidecar_whose_checksum_was_removed_fails()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        var sidecar = TakeBackup("stripped") + BackupSidecar.Suffix;
        var json = JsonNode.Parse(File.ReadAllText(sidecar))!.AsObject();
        json.Remove("checksum");
        File.WriteAllText(sidecar, json.ToJsonString());

        Assert.Throws<SidecarChangedException>(() => BackupSidecar.Load(sidecar));
    }

    [Fact]
    public void A_backup_that_failed_verify_is_shown_failed_by_list_and_status_and_is_not_newest_verified_or_fresh()
    {
        TempFolder.CreateNotes(Database, rows: 500);
        var good = TakeBackup("good");
        Thread.Sleep(1100); // A later second: the catalog sorts by creation time.
        var bad = TakeBackup("bad");
        ManualCommandsTests.FlipOneByte(bad);
        Assert.Equal(MimoExitCode.VerificationFailed, Run("verify", new RecordingOutput()));

        var audit = new AuditLog(Backups).Read().Last(l => (string?)l["event"] == "verify");
        var results = audit["results"]!.AsArray();
        Assert.Contains(results, r => (string?)r!["backup"] == bad && !(bool)r["passed"]!);
        Assert.Contains(results, r => (string?)r!["backup"] == good && (bool)r["passed"]!);

        var list = new RecordingOutput();
        Run("list", list);
        Assert.Contains(list.Information, l => l.StartsWith(Path.GetFileName(bad), StringComparison.Ordinal) && l.Contains("FAILED MimoBackupVerify", StringComparison.Ordinal));
        var status = new RecordingOutput();
        Run("status", status);
        Assert.Contains(status.Information, l => l.Contains("newest verified " + Path.GetFileName(good), StringComparison.Ordinal));
        Assert.Contains(status.Warnings, w => w.Contains("failed its last verification", StringComparison.Ordinal) && w.Contains(Path.GetFileName(bad), StringComparison.Ordinal));

        var fresh = FreshBackups.Find(Backups, Database, TimeSpan.FromMinutes(15), DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), []);
        Assert.Equal(good, fresh.Backup?.Path);

        var retention = BackupPrune.Preview(Backups, new RetentionPolicy(Days: 1, Months: 0), DateTimeOffset.UtcNow.AddDays(3)).ToDictionary(d => d.Name);
        Assert.Equal(RetentionPolicy.NewestVerified, retention[Path.GetFileName(good)].Reason);
        Assert.NotEqual(RetentionPolicy.NewestVerified, retention[Path.GetFileName(bad)].Reason);
    }

    [Fact]
    public void Sidecar_checksum_covers_every_byte_and_a_fresh_sidecar_matches()
    {
        TempFolder.CreateNotes(Database, rows: 3);
        var bytes = File.ReadAllBytes(TakeBackup("fresh") + BackupSidecar.Suffix);

        Assert.True(BackupSidecar.ChecksumMatches(bytes));
        Assert.EndsWith("\"\n}", Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
