using System.Text;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>The local folder as a backup store, on real files: create-only, owner-only, nothing half-written under a name.</summary>
public sealed class LocalFolderStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Folder => _temp.File("deep/backups");

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Write_refuses_a_name_that_is_taken_and_leaves_the_existing_bytes()
    {
        var store = new LocalFolderStore(Folder);
        store.Write("backup_20260101_000000.db", Bytes("first"));
        store.WriteSidecar("backup_20260101_000000.db", "{\"first\":1}"u8);

        Assert.Throws<StoredObjectExistsException>(() => store.Write("backup_20260101_000000.db", Bytes("second")));
        Assert.Throws<StoredObjectExistsException>(() => store.WriteSidecar("backup_20260101_000000.db", "{\"second\":2}"u8));

        Assert.Equal("first", File.ReadAllText(store.Locate("backup_20260101_000000.db")));
        Assert.Equal("{\"first\":1}", Encoding.UTF8.GetString(store.ReadSidecar("backup_20260101_000000.db")));
        Assert.Equal(["backup_20260101_000000.db", "backup_20260101_000000.db.meta.json"], Names(store)); // No temporary file is left.
    }

    [Fact]
    public void Written_files_are_0600_and_created_folders_0700()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = new LocalFolderStore(Folder);
        store.Write("backup_20260101_000000.db", Bytes("data"));
        store.WriteSidecar("backup_20260101_000000.db", "{}"u8);
        store.AppendAuditLine("{\"event\":\"test\"}");

        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        foreach (var file in Directory.GetFiles(Folder))
        {
            Assert.Equal(owner, File.GetUnixFileMode(file));
        }

        Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder));
        Assert.True(File.Exists(Path.Combine(Folder, ".gitignore")));
    }

    [Fact]
    public void Write_with_a_wrong_sha256_publishes_nothing()
    {
        var store = new LocalFolderStore(Folder);

        var refused = Assert.Throws<StoredObjectChecksumException>(() => store.Write("backup_20260101_000000.db", Bytes("data"), sha256: new string('0', 64)));

        Assert.Contains(new string('0', 64), refused.Message, StringComparison.Ordinal);
        Assert.Null(store.Find("backup_20260101_000000.db"));
        Assert.Empty(Names(store));
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_no_object_under_its_name_and_the_listing_no_complete_backup()
    {
        var store = new LocalFolderStore(Folder);
        Assert.Throws<IOException>(() => store.Write("backup_20260101_000000.db", new FailingStream()));
        // What a killed process would leave: the hidden temporary copy and a sidecar's temporary.
        File.WriteAllText(Path.Combine(Folder, ".backup_20260101_000100.0a1b2c3d.tmp"), "half a copy");
        File.WriteAllText(Path.Combine(Folder, "backup_20260101_000100.db.meta.json.0a1b2c3d.tmp"), "{ \"half");

        Assert.Null(store.Find("backup_20260101_000000.db"));
        Assert.DoesNotContain(store.List(), o => o.Name == "backup_20260101_000000.db");
        var catalog = BackupCatalog.Read(store);
        Assert.DoesNotContain(catalog, e => e.State == CatalogState.Complete);
        Assert.All(catalog, e => Assert.Equal(CatalogState.Leftover, e.State));
        Assert.Equal(2, catalog.Count);
    }

    [Fact]
    public void List_gives_name_length_and_time_and_an_absent_folder_holds_nothing()
    {
        var store = new LocalFolderStore(Folder);
        Assert.Empty(store.List());
        Assert.Empty(store.ReadAuditLines());
        Assert.False(Directory.Exists(Folder)); // Reading never creates the folder.

        store.Write("backup_20260101_000000.db", Bytes("12345"));
        store.AppendAuditLine("{\"event\":\"one\"}");
        store.AppendAuditLine("{\"event\":\"two\"}");

        var backup = Assert.Single(store.List(), o => o.Name == "backup_20260101_000000.db");
        Assert.Equal(5, backup.Length);
        Assert.InRange(backup.LastWriteUtc, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(["{\"event\":\"one\"}", "{\"event\":\"two\"}"], store.ReadAuditLines());
        using var read = new StreamReader(store.OpenRead("backup_20260101_000000.db"));
        Assert.Equal("12345", read.ReadToEnd());
    }

    [Fact]
    public void Names_that_would_leave_the_folder_are_refused()
    {
        var store = new LocalFolderStore(Folder);

        Assert.Throws<ArgumentException>(() => store.Locate("../app.db"));
        Assert.Throws<ArgumentException>(() => store.Write("..", Bytes("x")));
    }

    private static string[] Names(LocalFolderStore store)
        => [.. store.List().Select(o => o.Name).Where(n => n != ".gitignore").Order(StringComparer.Ordinal)];

    /// <summary>Gives some bytes, then fails like a disk or share going away.</summary>
    private sealed class FailingStream : MemoryStream
    {
        private bool _gave;

        public FailingStream()
            : base(new byte[4096])
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_gave)
            {
                throw new IOException("the source went away");
            }

            _gave = true;
            return base.Read(buffer[..Math.Min(buffer.Length, 100)]);
        }
    }
}
