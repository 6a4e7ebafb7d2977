using System.Security.Cryptography;
using System.Text;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>MimoEncryptionKey: the chunked AES-256-GCM format, its key, and a backup store that only ever holds ciphertext.</summary>
public sealed class EncryptionTests : IDisposable
{
    private const int Chunk = 1 << 20;
    private static readonly EncryptionKey Key = EncryptionKey.Parse(Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()), "test");
    private static readonly EncryptionKey OtherKey = EncryptionKey.Parse(new string('a', 64), "test");
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(3 * Chunk + 12345)]
    public void Round_trip_of_every_length_around_a_chunk_gives_the_bytes_back_and_the_lengths_map_both_ways(int length)
    {
        var plain = RandomNumberGenerator.GetBytes(length);

        var sealedBytes = Encrypt(plain, Key);

        Assert.Equal(ChunkedAesGcm.CiphertextLength(length), sealedBytes.Length);
        Assert.Equal(length, ChunkedAesGcm.PlaintextLength(sealedBytes.Length));
        Assert.True(ChunkedAesGcm.IsEncrypted(sealedBytes));
        Assert.Equal(Key.Id, ChunkedAesGcm.KeyIdOf(sealedBytes));
        Assert.Equal(plain, Decrypt(sealedBytes, Key));
    }

    [Fact]
    public void The_same_bytes_encrypt_differently_each_time_and_no_plaintext_shows()
    {
        var plain = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("SQLite format 3 secret-row ", 5000)));

        var first = Encrypt(plain, Key);
        var second = Encrypt(plain, Key);

        Assert.NotEqual(first, second);
        Assert.DoesNotContain("secret-row", Encoding.ASCII.GetString(first), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Key.Material), Encoding.ASCII.GetString(first), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flip a byte of the first chunk")]
    [InlineData("flip a byte of the last chunk")]
    [InlineData("flip a byte of the salt")]
    [InlineData("truncate at a chunk boundary")]
    [InlineData("truncate inside a chunk")]
    [InlineData("append a byte")]
    [InlineData("swap two chunks")]
    public void Any_change_to_the_ciphertext_fails_to_decrypt_instead_of_giving_other_bytes(string change)
    {
        var plain = RandomNumberGenerator.GetBytes(2 * Chunk + 100);
        var sealedBytes = Encrypt(plain, Key);
        var whole = Chunk + ChunkedAesGcm.TagLength;
        var header = ChunkedAesGcm.HeaderLength;
        byte[] changed = change switch
        {
            "flip a byte of the first chunk" => Flip(sealedBytes, header + 10),
            "flip a byte of the last chunk" => Flip(sealedBytes, sealedBytes.Length - 3),
            "flip a byte of the salt" => Flip(sealedBytes, 30),
            "truncate at a chunk boundary" => sealedBytes[..(header + 2 * whole)],
            "truncate inside a chunk" => sealedBytes[..(header + whole + 500)],
            "append a byte" => [.. sealedBytes, 0],
            _ => [.. sealedBytes[..header], .. sealedBytes[(header + whole)..(header + 2 * whole)], .. sealedBytes[header..(header + whole)], .. sealedBytes[(header + 2 * whole)..]],
        };

        var error = Assert.ThrowsAny<IOException>(() => Decrypt(changed, Key));

        Assert.IsType<EncryptedObjectDamagedException>(error);
        Assert.Contains("cannot be decrypted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_object_moved_to_another_name_does_not_decrypt()
    {
        // An older backup put in a newer one's place, with the same key, must not pass for it.
        var sealedBytes = Encrypt(RandomNumberGenerator.GetBytes(5000), Key, "backup_20260101_000000.db");

        Assert.IsType<EncryptedObjectDamagedException>(Assert.ThrowsAny<IOException>(() => Decrypt(sealedBytes, Key, "backup_20260601_000000.db")));
        Assert.Equal(5000, Decrypt(sealedBytes, Key, "backup_20260101_000000.db").Length);
    }

    [Fact]
    public void Another_key_is_refused_by_its_id_before_anything_is_decrypted()
    {
        var sealedBytes = Encrypt(RandomNumberGenerator.GetBytes(1000), Key);

        var error = Assert.Throws<EncryptionKeyMismatchException>(() => Decrypt(sealedBytes, OtherKey));

        Assert.Equal(Key.Id, error.KeyId);
        Assert.Equal("MIMO605", error.ToMimo().Error.Code);
        Assert.Contains(Key.Id, error.ToMimo().Message, StringComparison.Ordinal);
        Assert.Contains(OtherKey.Id, error.ToMimo().Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("c2hvcnQ=")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    public void A_key_that_is_not_32_bytes_of_base64_or_hex_is_MIMO606_and_the_text_is_not_shown(string text)
    {
        var error = Assert.Throws<MimoBackupException>(() => EncryptionKey.Parse(text, "the environment variable MimoEncryptionKey"));

        Assert.Equal("MIMO606", error.Error.Code);
        Assert.DoesNotContain(text, error.Message, StringComparison.Ordinal);
        Assert.Contains("MimoEncryptionKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_from_a_file_and_the_same_key_in_hex_have_the_same_id_which_does_not_reveal_it()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var file = _temp.File("mimo.key");
        File.WriteAllText(file, Convert.ToBase64String(material) + "\n");

        var fromFile = EncryptionKey.From(null, file)!;
        var fromHex = EncryptionKey.From(Convert.ToHexString(material), null)!;

        Assert.Equal(fromHex.Id, fromFile.Id);
        Assert.Equal(16, fromFile.Id.Length);
        Assert.DoesNotContain(fromFile.Id, Convert.ToHexStringLower(material), StringComparison.Ordinal);
        Assert.Null(EncryptionKey.From(null, null));
        Assert.Equal("MIMO606", Assert.Throws<MimoBackupException>(() => EncryptionKey.From(null, _temp.File("missing.key"))).Error.Code);
    }

    [Fact]
    public void An_encrypted_remote_holds_ciphertext_only_yet_lists_verifies_and_downloads_as_the_plain_backup()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 300);
        var backup = BackupPruneTests.Take(database, _temp.File("backups"), DateTimeOffset.UtcNow);
        var objects = new FolderObjectStore(_temp.File("bucket"));
        var local = new LocalFolderStore(_temp.File("backups"));
        var remote = new ObjectBackupStore(new EncryptedObjectStore(objects, Key), local);
        var name = Path.GetFileName(backup.Path);

        var result = BackupMirror.Copy(name, backup.Sidecar.Sha256, local, remote, OffSiteKind.Remote, null, DateTimeOffset.UtcNow);

        Assert.True(result.Ok, string.Join("; ", result.Warnings.Select(w => w.Message)));
        Assert.Equal([name + ".enc", name + BackupSidecar.Suffix + ".enc"], objects.List().Select(o => o.Name).Order(StringComparer.Ordinal));
        foreach (var stored in objects.List())
        {
            var bytes = File.ReadAllBytes(Path.Combine(objects.Folder, stored.Name));
            Assert.True(ChunkedAesGcm.IsEncrypted(bytes));
            Assert.DoesNotContain("SQLite format 3", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
            Assert.DoesNotContain("Notes", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
        }

        var entry = Assert.Single(BackupCatalog.Read(remote));
        Assert.Equal(CatalogState.Complete, entry.State);
        Assert.Equal(new FileInfo(backup.Path).Length, entry.SizeBytes);
        using var download = RemoteDownload.Fetch(remote, name, 0, _temp.File("restore"), CancellationToken.None);
        Assert.Equal(backup.Sidecar.Sha256, TempFolder.Hash(download.Path));
        Assert.True(BackupCheck.Run(download.Path, entry.Sidecar, MimoVerification.Full, CancellationToken.None).Passed);

        // The same name again is refused, in either form.
        Assert.Throws<StoredObjectExistsException>(() => new EncryptedObjectStore(objects, null).Write(name, new MemoryStream([1])));
        var line = new AuditLog(_temp.File("backups")).Read().Last();
        Assert.Equal("remote", (string?)line["event"]);
        Assert.Equal("ok", (string?)line["result"]);
    }

    [Fact]
    public void Without_the_key_an_encrypted_remote_is_MIMO604_naming_the_key_id_and_with_another_the_sidecars_say_why()
    {
        var objects = new FolderObjectStore(_temp.File("bucket"));
        new EncryptedObjectStore(objects, Key).Write("x_20260101_000000.db", new MemoryStream(RandomNumberGenerator.GetBytes(100)));
        new EncryptedObjectStore(objects, Key).Write("x_20260101_000000.db" + BackupSidecar.Suffix, new MemoryStream("{}"u8.ToArray()));
        var local = new LocalFolderStore(_temp.File("backups"));

        var missing = Assert.Throws<MimoBackupException>(() => BackupCatalog.Read(new ObjectBackupStore(new EncryptedObjectStore(objects, null), local)));
        Assert.Equal("MIMO604", missing.Error.Code);
        Assert.Contains(Key.Id, missing.Message, StringComparison.Ordinal);

        var entry = Assert.Single(BackupCatalog.Read(new ObjectBackupStore(new EncryptedObjectStore(objects, OtherKey), local)));
        Assert.Equal(CatalogState.Incomplete, entry.State);
        Assert.Contains($"encrypted with the key {Key.Id}", entry.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_upload_is_a_MIMO601_warning_and_an_audit_line_and_leaves_no_object_and_the_next_backup_retries_it()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 300);
        var folder = _temp.File("backups");
        var first = BackupPruneTests.Take(database, folder, DateTimeOffset.UtcNow.AddMinutes(-5));
        var objects = new FolderObjectStore(_temp.File("bucket")) { FailAfterBytes = 10_000 };
        var local = new LocalFolderStore(folder);
        var remote = new ObjectBackupStore(new EncryptedObjectStore(objects, null), local);

        var failed = BackupMirror.Copy(Path.GetFileName(first.Path), first.Sidecar.Sha256, local, remote, OffSiteKind.Remote, null, DateTimeOffset.UtcNow);

        Assert.False(failed.Ok);
        var warning = Assert.Single(failed.Warnings);
        Assert.Equal("MIMO601", warning.Error.Code);
        Assert.Contains("connection was reset", warning.Message, StringComparison.Ordinal);
        Assert.Empty(objects.List());
        Assert.Equal([(Path.GetFileName(first.Path), first.Sidecar.Sha256)], BackupMirror.FailedEarlier(local, OffSiteKind.Remote, 5));
        Assert.Empty(BackupMirror.FailedEarlier(local, OffSiteKind.Mirror, 5));

        objects.FailAfterBytes = null;
        var retried = BackupMirror.Copy(Path.GetFileName(first.Path), first.Sidecar.Sha256, local, remote, OffSiteKind.Remote, null, DateTimeOffset.UtcNow);

        Assert.True(retried.Ok);
        Assert.Empty(BackupMirror.FailedEarlier(local, OffSiteKind.Remote, 5));
        Assert.Equal(CatalogState.Complete, Assert.Single(BackupCatalog.Read(remote)).State);
    }

    [Fact]
    public void An_upload_that_started_and_never_ended_is_retried_by_the_next_backup_and_status_says_it_did_not_finish()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 20);
        var folder = _temp.File("backups");
        var backup = BackupPruneTests.Take(database, folder, DateTimeOffset.UtcNow);
        var name = Path.GetFileName(backup.Path);
        var local = new LocalFolderStore(folder);

        // What a killed process leaves: the line written before the upload, and nothing after it.
        new AuditLog(folder).Append("remote", new System.Text.Json.Nodes.JsonObject { ["backup"] = name, ["remote"] = "test://bucket", ["result"] = "started" }, DateTimeOffset.UtcNow);

        Assert.Equal([(name, backup.Sidecar.Sha256)], BackupMirror.FailedEarlier(local, OffSiteKind.Remote, 5));
        Assert.Equal((false, "the upload did not finish"), BackupMirror.LatestCopy(local, OffSiteKind.Remote, name) is { } copy ? (copy.Ok, copy.Reason) : default);
    }

    [Fact]
    public void A_remote_object_that_does_not_hash_to_the_sidecar_is_deleted_and_refused()
    {
        var objects = new FolderObjectStore(_temp.File("bucket"));
        var remote = new ObjectBackupStore(objects, new LocalFolderStore(_temp.File("backups")));

        Assert.Throws<StoredObjectChecksumException>(() => remote.Write("a_20260101_000000.db", new MemoryStream([1, 2, 3]), new string('0', 64)));

        Assert.Empty(objects.List());
    }

    private static byte[] Encrypt(byte[] plain, EncryptionKey key, string name = "x.db")
    {
        using var stream = ChunkedAesGcm.Encrypt(new MemoryStream(plain), key, name);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Decrypt(byte[] sealedBytes, EncryptionKey key, string name = "x.db")
    {
        using var stream = ChunkedAesGcm.Decrypt(new MemoryStream(sealedBytes), key, "test://object", name);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x40;
        return copy;
    }
}

/// <summary>The remote's retention and restore refusals, on a local object store.</summary>
public sealed class RemoteRetentionTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void An_object_the_service_keeps_on_purpose_is_kept_and_reported_not_a_failure()
    {
        var objects = new LockingObjectStore(_temp.File("bucket"));
        var remote = new ObjectBackupStore(objects, new LocalFolderStore(_temp.File("backups")));
        var now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 5);

        // Two backups long expired (the older one under object lock) and a recent one.
        foreach (var (days, locked) in new[] { (90, true), (60, false), (1, false) })
        {
            var backup = BackupPruneTests.Take(database, _temp.File("local"), now.AddDays(-days));
            var name = Path.GetFileName(backup.Path);
            using (var content = File.OpenRead(backup.Path))
            {
                remote.Write(name, content);
            }

            remote.WriteSidecar(name, File.ReadAllBytes(backup.SidecarPath));
            if (locked)
            {
                objects.Locked.Add(name);
            }
        }

        var result = BackupPrune.Run(remote, new RetentionPolicy(30, 0), now, dryRun: false);

        Assert.Equal(2, result.Decisions.Count(d => !d.Keep));
        Assert.Single(result.Deleted);
        Assert.Empty(result.Warnings);
        Assert.Empty(result.Failed);
        var kept = Assert.Single(result.Protected);
        Assert.Contains(kept, objects.List().Select(o => o.Name));
        Assert.DoesNotContain(kept, result.Deleted.Select(d => d.Name));
        Assert.Contains("kept by the service", Internal.BackupAftercare.Summary(result), StringComparison.Ordinal);
        var line = new AuditLog(_temp.File("backups")).Read().Last();
        Assert.Equal(kept, (string?)line["keptByService"]![0]);
    }

    [Fact]
    public void A_restore_from_a_remote_encrypted_with_another_key_is_MIMO605_before_anything_is_written()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 50);
        var backup = BackupPruneTests.Take(database, _temp.File("backups"), DateTimeOffset.UtcNow);
        var objects = new FolderObjectStore(_temp.File("bucket"));
        var local = new LocalFolderStore(_temp.File("backups"));
        var name = Path.GetFileName(backup.Path);
        var written = EncryptionKey.Parse(new string('1', 64), "test");
        Assert.True(BackupMirror.Copy(name, backup.Sidecar.Sha256, local, new ObjectBackupStore(new EncryptedObjectStore(objects, written), local), OffSiteKind.Remote, null, DateTimeOffset.UtcNow).Ok);
        var other = new ObjectBackupStore(new EncryptedObjectStore(objects, EncryptionKey.Parse(new string('2', 64), "test")), local);
        var target = Commands.CommandTarget.ForFile(database, new Configuration.MimoSettings { BackupDir = _temp.File("backups") });
        var before = TempFolder.Hash(database);

        var error = Assert.Throws<MimoBackupException>(() => Commands.RestoreSource.Download(target, name, other, new RecordingOutput(), CancellationToken.None));

        Assert.Equal("MIMO605", error.Error.Code);
        Assert.Contains(written.Id, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TempFolder.Hash(database));

        // Verify asks the same before it records anything as damaged.
        var lines = new AuditLog(_temp.File("backups")).Read().Count();
        Assert.Equal("MIMO605", Assert.Throws<MimoBackupException>(() => Commands.CommandSource.RequireKeys(other, BackupCatalog.Read(other))).Error.Code);
        Assert.Equal(lines, new AuditLog(_temp.File("backups")).Read().Count());
        Assert.DoesNotContain(Directory.GetFiles(_temp.File("backups")), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    /// <summary>A folder object store whose service keeps some objects (object lock).</summary>
    private sealed class LockingObjectStore(string folder) : IObjectStore
    {
        private readonly FolderObjectStore inner = new(folder);

        public HashSet<string> Locked { get; } = [];

        public string Location => inner.Location;

        public IReadOnlyList<StoredObject> List(CancellationToken cancellationToken = default) => inner.List(cancellationToken);

        public StoredObject? Find(string name, CancellationToken cancellationToken = default) => inner.Find(name, cancellationToken);

        public Stream OpenRead(string name, CancellationToken cancellationToken = default) => inner.OpenRead(name, cancellationToken);

        public string Write(string name, Stream content, CancellationToken cancellationToken = default) => inner.Write(name, content, cancellationToken);

        public void Delete(string name, CancellationToken cancellationToken = default)
        {
            if (Locked.Contains(name))
            {
                throw new StoredObjectDeleteRefusedException(Location + "/" + name, "object lock");
            }

            inner.Delete(name, cancellationToken);
        }
    }
}
