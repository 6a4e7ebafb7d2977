using System.Globalization;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>Prune on real backup folders: real backups and sidecars, leftovers with real file times.</summary>
public sealed class BackupPruneTests : IDisposable
{
    // Months off: which calendar months are in the window would depend on the day the test runs.
    private static readonly RetentionPolicy Policy = new(Days: 30, Months: 0);

    private readonly TempFolder _temp = new();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public BackupPruneTests() => TempFolder.CreateNotes(Database, rows: 10);

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private string[] Files() => [.. Directory.GetFiles(Backups).Select(f => Path.GetFileName(f)).Where(f => f != ".gitignore").Order(StringComparer.Ordinal)];

    private BackupResult Take(TimeSpan age, string version = "1.0.0", bool pinned = false)
        => Take(Database, Backups, _now - age, version, pinned);

    internal static BackupResult Take(string database, string folder, DateTimeOffset at, string version = "1.0.0", bool pinned = false)
        => BackupWriter.Take(
            TempFolder.Request(database, folder) with
            {
                Kind = BackupKind.PreMigration,
                Clock = new FixedClock(at),
                Pinned = pinned,
                Origin = new OriginFacts("TestContext", "Tests", version, "10.0", "test", "machine", "user"),
            },
            CancellationToken.None);

    private string Leftover(string name, TimeSpan age)
    {
        var path = Path.Combine(Backups, name);
        File.WriteAllText(path, "partial");
        File.SetLastWriteTimeUtc(path, (_now - age).UtcDateTime);
        return path;
    }

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);

    [Fact]
    public void Run_dry_run_decides_but_deletes_nothing_and_writes_no_audit_line()
    {
        Take(TimeSpan.FromDays(1));
        var old = Take(TimeSpan.FromDays(40));
        Leftover(".pre-migration_20200101_000000.0a1b2c3d.tmp", TimeSpan.FromHours(2));
        var before = Files();

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: true);

        Assert.Equal(before, Files());
        Assert.False(File.Exists(Path.Combine(Backups, AuditLog.FileName)));
        Assert.True(result.DryRun);
        Assert.Equal(
            [".pre-migration_20200101_000000.0a1b2c3d.tmp", Path.GetFileName(old.Path)],
            result.Deleted.Select(d => d.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Run_never_deletes_a_backup_taken_while_the_clock_was_behind()
    {
        // Taken in this order, as audit.jsonl records: a backup today, then two while the clock had jumped back
        // 60 days (dated in the past), then the clock is right again. By their dates the two are 60 days old.
        var audit = new AuditLog(Backups);
        var today = Take(TimeSpan.FromDays(1));
        var whileBehind = Take(TimeSpan.FromDays(60));
        var stillBehind = Take(TimeSpan.FromDays(59));
        var genuinelyOld = Take(TimeSpan.FromDays(90));
        foreach (var backup in new[] { genuinelyOld, today, whileBehind, stillBehind })
        {
            audit.Append("backup", new System.Text.Json.Nodes.JsonObject { ["backup"] = backup.Path }, _now);
        }

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: false);

        Assert.Equal([Path.GetFileName(genuinelyOld.Path)], result.Deleted.Select(d => d.Name));
        Assert.All(new[] { whileBehind, stillBehind }, b => Assert.Equal(
            BackupPrune.DatedBeforeAnEarlierBackup, result.Decisions.Single(d => d.Name == Path.GetFileName(b.Path)).Reason));
        Assert.True(File.Exists(whileBehind.Path) && File.Exists(stillBehind.Path) && File.Exists(today.Path));
    }

    [Fact]
    public void Run_deletes_expired_backups_with_their_sidecars_and_records_one_audit_line()
    {
        var recent = Take(TimeSpan.FromDays(1));
        var expired = Take(TimeSpan.FromDays(40));
        var older = Take(TimeSpan.FromDays(50));
        var pinned = Take(TimeSpan.FromDays(60), pinned: true);

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: false);

        Assert.Empty(result.Warnings);
        Assert.Equal(
            new[] { pinned.Path, recent.Path }.SelectMany(p => new[] { Path.GetFileName(p), Path.GetFileName(p) + ".meta.json" }).Append(AuditLog.FileName).Order(StringComparer.Ordinal),
            Files());
        Assert.Equal(
            new Dictionary<string, string>
            {
                [Path.GetFileName(pinned.Path)] = "kept: pinned",
                [Path.GetFileName(older.Path)] = "deleted: expired",
                [Path.GetFileName(expired.Path)] = "deleted: expired",
                [Path.GetFileName(recent.Path)] = "kept: within 30 days",
            },
            result.Decisions.ToDictionary(d => d.Name, d => d.Reason));

        var line = Assert.Single(new AuditLog(Backups).Read());
        Assert.Equal("prune", (string?)line["event"]);
        Assert.Equal(30, (int?)line["policy"]!["days"]);
        Assert.Equal(
            [Path.GetFileName(older.Path), Path.GetFileName(expired.Path)],
            line["deleted"]!.AsArray().Select(d => (string?)d!["name"]));
        Assert.All(line["deleted"]!.AsArray(), d => Assert.Equal("deleted: expired", (string?)d!["reason"]));
        Assert.Equal(2, line["kept"]!.AsArray().Count);
    }

    [Fact]
    public void Run_removes_leftovers_older_than_an_hour_and_keeps_younger_ones()
    {
        var backup = Take(TimeSpan.FromDays(1));
        Leftover(".pre-migration_20200101_000000.0a1b2c3d.tmp", TimeSpan.FromHours(2));
        Leftover(".pre-migration_20200101_000000.0a1b2c3d.tmp-journal", TimeSpan.FromHours(2));
        Leftover($".pre-migration_{Stamp(_now.AddMinutes(-10))}.1234abcd.tmp", TimeSpan.FromMinutes(10));
        // A .db without a sidecar may be a backup made by hand (sqlite3 .backup) in the same folder: never deleted.
        Leftover("backup_20200101_000000.db", TimeSpan.FromHours(3));
        Leftover("backup_20200102_000000.db", TimeSpan.FromMinutes(5));
        Leftover("backup_20200103_000000.db.meta.json.abcdef12.tmp", TimeSpan.FromHours(2));
        File.Copy(backup.SidecarPath, Path.Combine(Backups, "backup_20200104_000000.db.meta.json"));
        File.SetLastWriteTimeUtc(Path.Combine(Backups, "backup_20200104_000000.db.meta.json"), _now.UtcDateTime.AddHours(-2));
        // Not ours: another database, notes, the audit log, however old.
        Leftover("app.db", TimeSpan.FromDays(400));
        Leftover("notes.txt", TimeSpan.FromDays(400));
        Leftover("copy.tmp", TimeSpan.FromDays(400));

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: false);

        var reasons = result.Decisions.ToDictionary(d => d.Name, d => d.Reason);
        Assert.Equal("deleted: incomplete leftover", reasons[".pre-migration_20200101_000000.0a1b2c3d.tmp"]);
        Assert.Equal("deleted: incomplete leftover", reasons[".pre-migration_20200101_000000.0a1b2c3d.tmp-journal"]);
        Assert.Equal("kept: incomplete, younger than an hour", reasons[$".pre-migration_{Stamp(_now.AddMinutes(-10))}.1234abcd.tmp"]);
        Assert.DoesNotContain("backup_20200101_000000.db", reasons.Keys);
        Assert.DoesNotContain("backup_20200102_000000.db", reasons.Keys);
        Assert.Equal("deleted: incomplete leftover", reasons["backup_20200103_000000.db.meta.json.abcdef12.tmp"]);
        Assert.Equal("deleted: incomplete leftover", reasons["backup_20200104_000000.db.meta.json"]);
        Assert.Equal("kept: within 30 days", reasons[Path.GetFileName(backup.Path)]);
        Assert.Equal(6, reasons.Count);
        Assert.Equal(
            new[]
            {
                $".pre-migration_{Stamp(_now.AddMinutes(-10))}.1234abcd.tmp", "app.db", AuditLog.FileName, "backup_20200101_000000.db", "backup_20200102_000000.db", "copy.tmp", "notes.txt",
                Path.GetFileName(backup.Path), Path.GetFileName(backup.SidecarPath),
            }.Order(StringComparer.Ordinal),
            Files());
    }

    [Fact]
    public void Run_judges_each_database_apart_in_a_shared_folder()
    {
        // Two databases back up into one folder (or one mirror share): the other database's newer backups must not
        // make this one's only backup "not the newest verified".
        var logs = _temp.File("logs.db");
        TempFolder.CreateNotes(logs, rows: 5);
        var onlyLogsBackup = Take(logs, Backups, _now - TimeSpan.FromDays(40));
        var oldApp = Take(TimeSpan.FromDays(50));
        var newApp = Take(TimeSpan.FromDays(1));

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: false);

        Assert.Equal("kept: newest verified", result.Decisions.Single(d => d.Name == Path.GetFileName(onlyLogsBackup.Path)).Reason);
        Assert.Equal([Path.GetFileName(oldApp.Path)], result.Deleted.Select(d => d.Name));
        Assert.True(File.Exists(onlyLogsBackup.Path) && File.Exists(newApp.Path));
    }

    [Fact]
    public void Run_backup_dated_after_now_stops_every_deletion()
    {
        Take(TimeSpan.FromDays(40));
        Take(TimeSpan.FromDays(-1));
        Leftover(".pre-migration_20200101_000000.0a1b2c3d.tmp", TimeSpan.FromHours(2));
        var before = Files();

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: false);

        Assert.Equal(before.Append(AuditLog.FileName).Order(StringComparer.Ordinal), Files());
        Assert.Equal(3, result.Decisions.Count);
        Assert.All(result.Decisions, d => Assert.Equal("kept: clock went backwards (newest backup is dated after now)", d.Reason));
    }

    [Fact]
    public void Run_unreadable_sidecar_keeps_its_backup()
    {
        var torn = Take(TimeSpan.FromDays(40));
        var expired = Take(TimeSpan.FromDays(50));
        Take(TimeSpan.FromDays(1));
        File.WriteAllText(torn.SidecarPath, "{ \"formatVersion\": 1, \"kind\": \"pre-mig");

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: false);

        var reasons = result.Decisions.ToDictionary(d => d.Name, d => d.Reason);
        Assert.Equal("kept: sidecar unreadable", reasons[Path.GetFileName(torn.Path)]);
        Assert.Equal("deleted: expired", reasons[Path.GetFileName(expired.Path)]);
        Assert.True(File.Exists(torn.Path));
        Assert.False(File.Exists(expired.Path));
    }

    [Fact]
    public void Run_truncated_backup_does_not_count_as_the_newest_verified()
    {
        var good = Take(TimeSpan.FromDays(50));
        var truncated = Take(TimeSpan.FromDays(40));
        using (var file = new FileStream(truncated.Path, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: true);

        var reasons = result.Decisions.ToDictionary(d => d.Name, d => d.Reason);
        Assert.Equal("kept: newest verified", reasons[Path.GetFileName(good.Path)]);
        Assert.Equal("deleted: expired", reasons[Path.GetFileName(truncated.Path)]);
    }

    [Fact]
    public void Run_unwritable_audit_log_is_a_MIMO107_warning_and_the_prune_still_happens()
    {
        var expired = Take(TimeSpan.FromDays(40));
        Take(TimeSpan.FromDays(1));
        Directory.CreateDirectory(Path.Combine(Backups, AuditLog.FileName)); // Unwritable even for root.

        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: false);

        Assert.Equal("MIMO107", Assert.Single(result.Warnings).Error.Code);
        Assert.False(File.Exists(expired.Path));
    }

    [Fact]
    public void Run_missing_folder_decides_nothing_and_creates_nothing()
    {
        var result = BackupPrune.Run(Backups, Policy, _now, dryRun: false);

        Assert.Empty(result.Decisions);
        Assert.False(Directory.Exists(Backups));
    }

    [Fact]
    public void Parse_reads_the_fields_of_a_real_sidecar()
    {
        var backup = Take(TimeSpan.FromDays(3), version: "2.7.1+abc", pinned: true);

        var summary = SidecarSummary.Parse(File.ReadAllBytes(backup.SidecarPath));

        var sidecar = BackupSidecar.Load(backup.SidecarPath);
        Assert.Equal(new SidecarSummary(sidecar.CreatedUtc, true, true, sidecar.SizeBytes, "2.7.1+abc", Path.GetFullPath(Database)), summary);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{ \"pinned\": true }")]
    [InlineData("{ \"createdUtc\": 12 }")]
    [InlineData("{ \"createdUtc\": \"2026-01-01T00:00:00+00:00\", \"tables\": [")]
    public void Parse_damaged_sidecar_gives_nothing(string json)
    {
        Assert.Null(SidecarSummary.TryParse(System.Text.Encoding.UTF8.GetBytes(json), checksumMatches: null));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
