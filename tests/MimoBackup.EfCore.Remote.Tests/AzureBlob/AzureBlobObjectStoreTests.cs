using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using MimoBackup.EfCore.AzureBlob;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

[Collection(ProcessEnvironment.Name)]
public sealed class AzureBlobObjectStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public void Store_small_and_multi_block_objects_round_trip_list_flat_and_delete()
    {
        var container = azurite.NewContainer();
        var store = azurite.Open(container, "app/backups");
        var small = RandomNumberGenerator.GetBytes(1000);
        var large = RandomNumberGenerator.GetBytes(40 * 1024 * 1024 + 123);

        Assert.Equal(Sha256(small), store.Write("small.db", new ForwardOnlyStream(small)));
        Assert.Equal(Sha256(large), store.Write("large.db", new ForwardOnlyStream(large)));
        foreach (var name in new[] { "a.meta.json", "b.meta.json", "c.meta.json" })
        {
            store.Write(name, new ForwardOnlyStream([1, 2, 3]));
        }

        // Blobs deeper than the prefix, and beside it, are not the store's.
        var client = azurite.Service.GetBlobContainerClient(container);
        client.GetBlobClient("app/backups/deeper/x.db").Upload(BinaryData.FromBytes([9]));
        client.GetBlobClient("app/other.db").Upload(BinaryData.FromBytes([9]));

        // Five objects in pages of two: three pages.
        var listed = store.List().OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["a.meta.json", "b.meta.json", "c.meta.json", "large.db", "small.db"], listed.Select(o => o.Name));
        Assert.Equal(large.Length, listed.Single(o => o.Name == "large.db").Length);
        Assert.All(listed, o => Assert.Equal(TimeSpan.Zero, o.LastWriteUtc.Offset));
        Assert.All(listed, o => Assert.InRange(o.LastWriteUtc, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));

        Assert.Equal(small.Length, store.Find("small.db")?.Length);
        Assert.Null(store.Find("missing.db"));
        Assert.Equal(Sha256(large), Sha256(ReadAll(store, "large.db")));
        Assert.Equal(small, ReadAll(store, "small.db"));
        Assert.Throws<FileNotFoundException>(() => store.OpenRead("missing.db"));

        // In 1 MiB blocks, with the whole content's MD5 and SHA-256 on the blob.
        var blob = client.GetBlockBlobClient("app/backups/large.db");
        Assert.Equal(41, blob.GetBlockList(BlockListTypes.Committed).Value.CommittedBlocks.Count());
        var properties = blob.GetProperties().Value;
        Assert.Equal(MD5.HashData(large), properties.ContentHash);
        Assert.Equal(Sha256(large), properties.Metadata[AzureBlobUpload.Sha256Metadata]);

        store.Delete("large.db");
        store.Delete("large.db");
        store.Delete("never-there.db");
        Assert.Null(store.Find("large.db"));
        Assert.DoesNotContain(store.List(), o => o.Name == "large.db");
    }

    [Fact]
    public void Store_with_empty_prefix_lists_the_container_top_level()
    {
        var container = azurite.NewContainer();
        var store = azurite.Open(container);
        store.Write("x.db", new ForwardOnlyStream([1]));
        azurite.Service.GetBlobContainerClient(container).GetBlobClient("sub/y.db").Upload(BinaryData.FromBytes([2]));
        Assert.Equal(["x.db"], store.List().Select(o => o.Name));
        Assert.Equal("azblob://" + container, store.Location);
    }

    [Fact]
    public void Write_name_taken_throws_and_keeps_the_first_content()
    {
        var store = azurite.Open(azurite.NewContainer(), "p");
        var first = RandomNumberGenerator.GetBytes(2000);
        store.Write("x.db", new ForwardOnlyStream(first));

        var e = Assert.Throws<StoredObjectExistsException>(() => store.Write("x.db", new ForwardOnlyStream(RandomNumberGenerator.GetBytes(3 * 1024 * 1024))));
        Assert.Contains("azblob://", e.Message, StringComparison.Ordinal);
        Assert.Equal(first, ReadAll(store, "x.db"));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(3 * 1024 * 1024 + 5)]
    public void Write_two_writers_at_once_the_service_lets_exactly_one_commit(int size)
    {
        // Both writers pass the HEAD-first check before either sends a byte: only the commit's If-None-Match can decide.
        var store = azurite.Open(azurite.NewContainer(), "race");
        using var bothStarted = new Barrier(2);
        var contents = new[] { RandomNumberGenerator.GetBytes(size), RandomNumberGenerator.GetBytes(size) };
        var writers = contents.Select(c => Task.Run(() => store.Write("x.db", new ForwardOnlyStream(c, firstRead: bothStarted)))).ToArray();

        var outcomes = writers.Select(w => Record.Exception(() => w.GetAwaiter().GetResult())).ToArray();
        Assert.Single(outcomes, o => o is null);
        Assert.IsType<StoredObjectExistsException>(Assert.Single(outcomes, o => o is not null));
        Assert.Equal(contents[Array.IndexOf(outcomes, null)], ReadAll(store, "x.db"));
    }

    [Fact]
    public void OpenRead_byte_flipped_in_azurite_extent_reads_other_bytes()
    {
        var store = azurite.Open(azurite.NewContainer(), "rot");
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        store.Write("x.db", new ForwardOnlyStream(content));

        var marker = content.AsSpan(1000, 64).ToArray();
        var flipped = 0;
        foreach (var file in Directory.EnumerateFiles(azurite.Server.DataFolder, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            var at = bytes.AsSpan().IndexOf(marker);
            if (at >= 0)
            {
                bytes[at + 10] ^= 0x40;
                File.WriteAllBytes(file, bytes);
                flipped++;
            }
        }

        Assert.Equal(1, flipped);
        Assert.NotEqual(Sha256(content), Sha256(ReadAll(store, "x.db")));
    }

    [Fact]
    public void StageBlock_with_a_wrong_md5_is_refused_by_azurite()
    {
        var blob = azurite.Service.GetBlobContainerClient(azurite.NewContainer()).GetBlockBlobClient("x.db");
        var body = RandomNumberGenerator.GetBytes(4096);
        var wrong = MD5.HashData(RandomNumberGenerator.GetBytes(16));

        var e = Assert.Throws<RequestFailedException>(() => blob.StageBlock(Convert.ToBase64String("block-0"u8), new MemoryStream(body), wrong, null, null, CancellationToken.None));
        Assert.Equal((400, "Md5Mismatch"), (e.Status, e.ErrorCode));
        Assert.False(blob.Exists().Value);

        // The same block with its true MD5 is taken: it was the hash that was refused.
        blob.StageBlock(Convert.ToBase64String("block-0"u8), new MemoryStream(body), MD5.HashData(body), null, null, CancellationToken.None);
    }

    [Theory]
    [InlineData(1000, 1)]
    [InlineData(3 * 1024 * 1024, 2)]
    public void Write_body_damaged_in_transit_is_refused_by_the_service_and_nothing_is_left(int size, int damagedRequest)
    {
        // The 1000 bytes go in one Put Blob, the 3 MiB in Put Blocks, of which the second is damaged.
        var container = azurite.NewContainer();
        var corrupt = new CorruptBodyPolicy(damagedRequest);
        var options = new BlobClientOptions();
        options.AddPolicy(corrupt, HttpPipelinePosition.PerCall);
        var store = AzuriteFixture.Over(new BlobServiceClient(azurite.ConnectionString, options), container, "p");

        var e = Assert.Throws<IOException>(() => store.Write("x.db", new ForwardOnlyStream(RandomNumberGenerator.GetBytes(size))));
        Assert.Equal(1, corrupt.Corrupted);
        Assert.Equal($"azblob://{container}/p/x.db: 400 Md5Mismatch", e.Message);
        Assert.Null(azurite.Open(container, "p").Find("x.db"));
    }

    [Fact]
    public void Store_missing_container_throws_a_clear_IOException()
    {
        var store = azurite.Open("no-such-container", "p");

        var listed = Assert.Throws<IOException>(() => store.List());
        Assert.Equal("azblob://no-such-container/p: 404 ContainerNotFound (the container does not exist)", listed.Message);
        Assert.Contains("ContainerNotFound", Assert.Throws<IOException>(() => store.Find("x.db")).Message, StringComparison.Ordinal);
        Assert.Contains("ContainerNotFound", Assert.Throws<IOException>(() => store.Write("x.db", new ForwardOnlyStream([1]))).Message, StringComparison.Ordinal);
        Assert.IsNotType<FileNotFoundException>(Assert.ThrowsAny<IOException>(() => store.OpenRead("x.db")));
    }

    [Fact]
    public void Store_messages_never_show_a_key_sas_or_connection_string()
    {
        const string FakeKey = "TUlNT0ZBS0VLRVlNSU1PRkFLRUtFWU1JTU9GQUtFS0VZTUlNT0ZBS0VLRVk=";
        const string FakeSig = "MIMOFAKESIGnature0123456789abcdef";
        var container = azurite.NewContainer();
        var closed = $"http://127.0.0.1:{ClosedPort()}/{AzuriteFixture.Account}";
        var connectionStrings = new[]
        {
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.Account};AccountKey={FakeKey};BlobEndpoint={azurite.ServiceUrl};",
            $"BlobEndpoint={azurite.ServiceUrl};SharedAccessSignature=sv=2023-11-03&ss=b&srt=sco&sp=rwdlc&se=2099-01-01T00:00:00Z&sig={FakeSig}",
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.Account};AccountKey={FakeKey};BlobEndpoint={closed};",
            $"BlobEndpoint={closed};SharedAccessSignature=sv=2023-11-03&sp=rwdlc&sig={FakeSig}",
            $"AccountKey={FakeKey};this is = no connection string;sig={FakeSig}",
        };

        foreach (var connectionString in connectionStrings)
        {
            var store = azurite.Open(container, "p", connectionString: connectionString);
            Exception[] failures =
            [
                Assert.ThrowsAny<IOException>(() => store.List()),
                Assert.ThrowsAny<IOException>(() => store.Write("x.db", new ForwardOnlyStream([1, 2]))),
                Assert.ThrowsAny<IOException>(() => store.OpenRead("x.db")),
                Assert.ThrowsAny<IOException>(() => store.Delete("x.db")),
            ];
            foreach (var failure in failures)
            {
                var shown = failure.ToString();
                Assert.DoesNotContain(FakeKey, shown, StringComparison.Ordinal);
                Assert.DoesNotContain(FakeSig, shown, StringComparison.Ordinal);
                Assert.DoesNotContain("sig=", shown, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("AccountKey", shown, StringComparison.OrdinalIgnoreCase);
                Assert.True(failure.Message.Length < 200, failure.Message);
            }
        }
    }

    [Fact]
    public void Store_with_nothing_configured_names_the_variables_on_first_use()
    {
        var store = AzureBlobObjectStoreProvider.Open(new RemoteAddress(RemoteAddress.AzureBlob, "c", ""), _ => null, AzuriteFixture.Quick);
        var e = Assert.Throws<IOException>(() => store.List());
        Assert.Contains(AzureBlobAccount.ConnectionStringVariable, e.Message, StringComparison.Ordinal);
        Assert.Contains(AzureBlobAccount.AccountVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_with_a_credential_that_may_not_delete_is_refused_and_the_blob_kept()
    {
        // Azurite checks SAS permissions: a SAS without d(elete) is the write-only credential that keeps backups safe.
        var container = azurite.NewContainer();
        azurite.Open(container, "p").Write("x.db", new ForwardOnlyStream([1, 2, 3]));
        var sas = azurite.Service.GetBlobContainerClient(container)
            .GenerateSasUri(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.Create | BlobContainerSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1));
        var store = azurite.Open(container, "p", connectionString: $"BlobEndpoint={azurite.ServiceUrl};SharedAccessSignature={sas.Query.TrimStart('?')}");

        var e = Assert.Throws<StoredObjectDeleteRefusedException>(() => store.Delete("x.db"));
        Assert.Contains("AuthorizationPermissionMismatch", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", e.ToString(), StringComparison.Ordinal);
        Assert.NotNull(store.Find("x.db"));
    }

    [Theory]
    [InlineData(409, "BlobImmutableDueToPolicy", "immutability policy")]
    [InlineData(409, "BlobImmutableDueToLegalHold", "legal hold")]
    [InlineData(412, "LeaseIdMissing", "leased")]
    public void Delete_refused_by_the_service_on_purpose_is_DeleteRefused(int status, string code, string reason)
    {
        // Azurite has no immutability policies or legal holds (its handlers answer NotImplemented): the service's answer is played.
        var container = azurite.NewContainer();
        var options = new BlobClientOptions { Transport = new AnswerTransport(RequestMethod.Delete, status, code) };
        var store = AzuriteFixture.Over(new BlobServiceClient(azurite.ConnectionString, options), container, "p");

        var e = Assert.Throws<StoredObjectDeleteRefusedException>(() => store.Delete("x.db"));
        Assert.Contains(code, e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains($"azblob://{container}/p/x.db", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_other_service_error_is_a_plain_IOException()
    {
        var options = new BlobClientOptions { Transport = new AnswerTransport(RequestMethod.Delete, 400, "InvalidHeaderValue") };
        var store = AzuriteFixture.Over(new BlobServiceClient(azurite.ConnectionString, options), azurite.NewContainer(), "p");

        var e = Assert.Throws<IOException>(() => store.Delete("x.db"));
        Assert.EndsWith("/p/x.db: 400 InvalidHeaderValue", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Provider_found_by_the_core_opens_from_the_connection_string_variable()
    {
        var container = azurite.NewContainer();
        IObjectStore store;
        var before = Environment.GetEnvironmentVariable(AzureBlobAccount.ConnectionStringVariable);
        try
        {
            Environment.SetEnvironmentVariable(AzureBlobAccount.ConnectionStringVariable, azurite.ConnectionString);
            store = RemoteAddress.Parse($"azblob://{container}/from-env").Open();
        }
        finally
        {
            Environment.SetEnvironmentVariable(AzureBlobAccount.ConnectionStringVariable, before);
        }

        Assert.IsType<AzureBlobObjectStore>(store);
        Assert.Equal($"azblob://{container}/from-env", store.Location);
        var content = RandomNumberGenerator.GetBytes(5000);
        Assert.Equal(Sha256(content), store.Write("x.db", new ForwardOnlyStream(content)));
        Assert.Equal(content, ReadAll(store, "x.db"));
        Assert.Equal(["x.db"], store.List().Select(o => o.Name));
    }

    [Fact]
    public void Write_cancelled_throws_OperationCanceled_and_leaves_nothing()
    {
        var store = azurite.Open(azurite.NewContainer(), "p");
        using var cancel = new CancellationTokenSource();
        var content = new ForwardOnlyStream(RandomNumberGenerator.GetBytes(4 * 1024 * 1024), afterBytes: 2 * 1024 * 1024, reached: cancel.Cancel);

        Assert.ThrowsAny<OperationCanceledException>(() => store.Write("x.db", content, cancel.Token));
        Assert.Null(store.Find("x.db"));
    }

    internal static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    internal static byte[] ReadAll(IObjectStore store, string name)
    {
        using var stream = store.OpenRead(name);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
