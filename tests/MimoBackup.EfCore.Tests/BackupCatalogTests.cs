using System.Text;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>The one catalog's rules for every kind of file a backup folder can hold, as list and prune each read them.</summary>
public sealed class BackupCatalogTests : IDisposable
{
    private static readonly RetentionPolicy Policy = new(Days: 30, Months: 0);

    private readonly TempFolder _temp = new();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public BackupCatalogTests() => TempFolder.CreateNotes(Database, rows: 10);

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    /// <summary>
    /// Each kind of file: what the catalog finds it to be (null: not ours), what list shows (null: not listed), and
    /// what prune decides (null: prune leaves it alone). The enums are internal, so their names stand for them.
    /// </summary>
    public static TheoryData<string, string?, string?, string?> Kinds => new()
    {
        { "complete", nameof(CatalogFinding.Backup), nameof(CatalogState.Complete), "kept: newest verified" },
        { "damaged sidecar", nameof(CatalogFinding.Backup), nameof(CatalogState.Incomplete), "kept: sidecar unreadable" },
        { "changed sidecar", nameof(CatalogFinding.Backup), nameof(CatalogState.Incomplete), "deleted: expired" },
        { "truncated backup", nameof(CatalogFinding.Backup), nameof(CatalogState.Incomplete), "deleted: expired" },
        { "orphan sidecar", nameof(CatalogFinding.OrphanSidecar), nameof(CatalogState.Incomplete), "deleted: incomplete leftover" },
        { "temporary copy", nameof(CatalogFinding.Temporary), nameof(CatalogState.Leftover), "deleted: incomplete leftover" },
        { "young temporary copy", nameof(CatalogFinding.Temporary), nameof(CatalogState.Leftover), "kept: incomplete, younger than an hour" },
        { "temporary journal", nameof(CatalogFinding.Temporary), nameof(CatalogState.Leftover), "deleted: incomplete leftover" },
        { "temporary sidecar", nameof(CatalogFinding.Temporary), nameof(CatalogState.Leftover), "deleted: incomplete leftover" },
        { "hand-made backup without sidecar", nameof(CatalogFinding.NoSidecar), nameof(CatalogState.Incomplete), null },
        { "live database", null, null, null },
        { "someone else's .tmp", null, null, null },
        { "notes", null, null, null },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_reader_applies_the_same_rules_to_each_kind_of_file(string kind, string? finding, string? listed, string? pruned)
    {
        var name = Make(kind);
        var store = new LocalFolderStore(Backups);

        var found = BackupCatalog.Scan(store, wholeSidecars: true).Where(i => i.Object.Name == name).ToList();
        var entries = BackupCatalog.Read(store).Where(e => e.FileName == name || e.FileName + BackupSidecar.Suffix == name).ToList();
        var decisions = BackupPrune.Preview(store, Policy, _now).Where(d => d.Name == name).ToList();

        Assert.Equal(finding, found.SingleOrDefault()?.Finding.ToString());
        Assert.Equal(listed, entries.SingleOrDefault()?.State.ToString());
        Assert.Equal(pruned, decisions.SingleOrDefault()?.Reason);
        Assert.Equal(pruned is not null, BackupPrune.Scan(store).Any(i => i.Candidate.Name == name));
        if (listed is not null and not nameof(CatalogState.Complete))
        {
            Assert.False(entries.Single().Verified);
            Assert.NotNull(entries.Single().Problem);
        }
    }

    [Fact]
    public void A_failed_re_verification_never_counts_as_verified_for_list_or_prune()
    {
        var older = Take(TimeSpan.FromDays(50));
        var newer = Take(TimeSpan.FromDays(40));
        new AuditLog(Backups).Append("verify", new System.Text.Json.Nodes.JsonObject
        {
            ["results"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["backup"] = newer.Path, ["passed"] = false, ["detail"] = "integrity_check: page 3 is never used" }),
        }, _now);

        var entry = BackupCatalog.Read(Backups).Single(e => e.Path == newer.Path);
        var reasons = BackupPrune.Preview(Backups, Policy, _now).ToDictionary(d => d.Name, d => d.Reason);

        Assert.Equal(CatalogState.Complete, entry.State);
        Assert.False(entry.Verified);
        Assert.Equal("integrity_check: page 3 is never used", entry.FailedCheck);
        Assert.Equal("kept: newest verified", reasons[Path.GetFileName(older.Path)]);
        Assert.Equal("deleted: expired", reasons[Path.GetFileName(newer.Path)]);
    }

    /// <summary>Makes one file of <paramref name="kind"/> (beside a verified backup, so retention has its newest) and gives its name.</summary>
    private string Make(string kind)
    {
        if (kind == "complete")
        {
            return Path.GetFileName(Take(TimeSpan.FromDays(40)).Path);
        }

        Take(TimeSpan.FromDays(1));
        switch (kind)
        {
            case "damaged sidecar":
                {
                    var backup = Take(TimeSpan.FromDays(40));
                    File.WriteAllText(backup.SidecarPath, "{ \"formatVersion\": 1, \"kind\": \"pre-mig");
                    return Path.GetFileName(backup.Path);
                }

            case "changed sidecar":
                {
                    var backup = Take(TimeSpan.FromDays(40));
                    File.WriteAllText(backup.SidecarPath, File.ReadAllText(backup.SidecarPath).Replace("\"pinned\": false", "\"pinned\":false", StringComparison.Ordinal));
                    return Path.GetFileName(backup.Path);
                }

            case "truncated backup":
                {
                    var backup = Take(TimeSpan.FromDays(40));
                    using (var file = new FileStream(backup.Path, FileMode.Open))
                    {
                        file.SetLength(file.Length / 2);
                    }

                    return Path.GetFileName(backup.Path);
                }

            case "orphan sidecar":
                {
                    var backup = Take(TimeSpan.FromDays(40));
                    File.Delete(backup.Path);
                    File.SetLastWriteTimeUtc(backup.SidecarPath, (_now - TimeSpan.FromHours(2)).UtcDateTime);
                    return Path.GetFileName(backup.SidecarPath);
                }

            case "temporary copy":
                return Write(".pre-migration_20200101_000000.0a1b2c3d.tmp", TimeSpan.FromHours(2));
            case "young temporary copy":
                return Write(".pre-migration_20200101_000000.1234abcd.tmp", TimeSpan.FromMinutes(10));
            case "temporary journal":
                return Write(".pre-migration_20200101_000000.0a1b2c3d.tmp-journal", TimeSpan.FromHours(2));
            case "temporary sidecar":
                return Write("backup_20200103_000000.db.meta.json.abcdef12.tmp", TimeSpan.FromHours(2));
            case "hand-made backup without sidecar":
                return Write("backup_20200101_000000.db", TimeSpan.FromDays(400));
            case "live database":
                return Write("app.db", TimeSpan.FromDays(400));
            case "someone else's .tmp":
                return Write(".cache.tmp", TimeSpan.FromDays(400));
            case "notes":
                return Write("notes.txt", TimeSpan.FromDays(400));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private string Write(string name, TimeSpan age)
    {
        var path = Path.Combine(Backups, name);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes("partial"));
        File.SetLastWriteTimeUtc(path, (_now - age).UtcDateTime);
        return name;
    }

    private BackupResult Take(TimeSpan age) => BackupPruneTests.Take(Database, Backups, _now - age);
}
