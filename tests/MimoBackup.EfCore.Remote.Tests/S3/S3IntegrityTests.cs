using System.Net.Http.Headers;
using System.Security.Cryptography;
using Amazon.S3.Model;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// What catches bytes that are not the bytes written. s3rver 3.7.1 checks no Content-MD5 (lib/ has no such check: the
/// header is only part of the V2 string to sign), keeps no SHA-256 checksum and returns none, and gives a multipart
/// object the whole content's MD5 as its ETag; the store's own ETag comparison and read-back are what catch it there.
/// </summary>
public sealed class S3IntegrityTests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public void Flipped_byte_in_the_stored_object_changes_the_SHA256_of_what_OpenRead_returns()
    {
        using var store = s3.Open();
        var content = RandomNumberGenerator.GetBytes(10_000);
        var written = store.Write("a.db", new ForwardOnlyStream(content));

        var file = s3.ObjectFile(store.KeyOf("a.db"));
        var stored = File.ReadAllBytes(file);
        stored[5000] ^= 0x01;
        File.WriteAllBytes(file, stored);

        // s3rver serves the file as it is, with its stale ETag. The SDK checks a single-part download against
        // its ETag at the end of the body, so the last read throws; every byte before it has been handed over,
        // and their SHA-256 is what the core's verification compares with the sidecar.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var read = store.OpenRead("a.db");
        var buffer = new byte[4096];
        var e = Assert.ThrowsAny<IOException>(() =>
        {
            for (int n; (n = read.Read(buffer)) > 0;)
            {
                sha.AppendData(buffer, 0, n);
            }
        });
        Assert.Contains("do not match the object's MD5", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(store.Locate("a.db"), e.Message, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), written);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), Convert.ToHexStringLower(sha.GetHashAndReset()));
        Assert.NotEqual(written, Convert.ToHexStringLower(SHA256.HashData(stored)));
    }

    [Fact]
    public void S3rver_stores_a_body_whose_Content_MD5_does_not_match_where_S3_answers_BadDigest()
    {
        using var store = s3.Open();
        byte[] body = [1, 2, 3, 4];
#pragma warning disable CA5351 // Content-MD5 is the protocol's header.
        var otherMd5 = Convert.ToBase64String(MD5.HashData(new byte[] { 9, 9, 9, 9 }));
#pragma warning restore CA5351

        S3ServerFixture.Put(store, new PutObjectRequest { Key = store.KeyOf("a.db"), InputStream = new MemoryStream(body), MD5Digest = otherMd5 });

        Assert.Equal(body, File.ReadAllBytes(s3.ObjectFile(store.KeyOf("a.db"))));
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData((2 * S3ServerFixture.PartSize) + 10_000)]
    public void Write_of_a_body_corrupted_in_transit_throws_a_checksum_error_and_leaves_no_object(int length)
    {
        // One byte of the PutObject, or of the second part, flipped between the store and the service. S3 would
        // refuse the request (Content-MD5, x-amz-checksum-sha256, the signed payload hash); s3rver stores it, and
        // its ETag then differs from the MD5 of what was read, so the store reads it back and compares SHA-256.
        var wire = new S3Wire
        {
            Before = async request =>
            {
                var path = request.RequestUri!.PathAndQuery;
                if (request.Method == HttpMethod.Put && (length < S3ServerFixture.PartSize || path.Contains("partNumber=2", StringComparison.Ordinal)))
                {
                    await S3Wire.Corrupt(request);
                }

                return null;
            },
        };
        using var store = s3.Open(change: wire.Apply);

        var e = Assert.Throws<StoredObjectChecksumException>(() => store.Write("a.db", new ForwardOnlyStream(RandomNumberGenerator.GetBytes(length))));

        Assert.Contains(wire.Requests, r => r.StartsWith("GET ", StringComparison.Ordinal));
        Assert.Null(store.Find("a.db"));
        Assert.Empty(store.List());
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_reads_back_when_neither_checksum_nor_ETag_vouches_and_keeps_bytes_that_match()
    {
        // As with SSE-KMS on S3, or a compatible store whose ETag is no MD5.
        var wire = new S3Wire
        {
            After = (request, response) =>
            {
                if (request.Method == HttpMethod.Put)
                {
                    response.Headers.ETag = new EntityTagHeaderValue("\"0123456789abcdef0123456789abcdef\"");
                }
            },
        };
        using var store = s3.Open(change: wire.Apply);
        var content = RandomNumberGenerator.GetBytes(10_000);

        var written = store.Write("a.db", new ForwardOnlyStream(content));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), written);
        Assert.Contains(wire.Requests, r => r.StartsWith("GET ", StringComparison.Ordinal));
        Assert.Equal(content.Length, store.Find("a.db")?.Length);
    }

    [Fact]
    public void Write_confirmed_by_the_ETag_reads_nothing_back()
    {
        var wire = new S3Wire();
        using var store = s3.Open(change: wire.Apply);

        store.Write("a.db", new ForwardOnlyStream(RandomNumberGenerator.GetBytes(10_000)));
        store.Write("b.db", new ForwardOnlyStream(RandomNumberGenerator.GetBytes(S3ServerFixture.PartSize + 1)));

        Assert.DoesNotContain(wire.Requests, r => r.StartsWith("GET ", StringComparison.Ordinal));
    }
}
