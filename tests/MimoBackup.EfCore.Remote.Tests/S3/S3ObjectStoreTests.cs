using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.S3;

namespace MimoBackup.EfCore.Tests;

/// <summary>The S3 store against a real s3rver: round trips, listing, create-only writes and error messages.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class S3ObjectStoreTests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public void Write_small_and_multipart_objects_round_trip_list_find_read_and_delete()
    {
        var wire = new S3Wire();
        using var store = s3.Open(change: wire.Apply);
        var small = Encoding.UTF8.GetBytes("a small sidecar");
        var large = RandomNumberGenerator.GetBytes((8 * S3ServerFixture.PartSize) + 12345);

        Assert.Equal(Sha256(small), store.Write("a.meta.json", new ForwardOnlyStream(small)));
        Assert.Equal(Sha256(large), store.Write("a.db", new ForwardOnlyStream(large)));

        // Nine parts, each with Content-MD5 and a SHA-256, none in aws-chunked framing; If-None-Match on the
        // PutObject and on the CompleteMultipartUpload.
        var uploads = wire.Sent.Where(s => s.Request.StartsWith("PUT ", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, uploads.Count);
        Assert.All(uploads, u => Assert.True(u.Headers.ContainsKey("content-md5") && u.Headers.ContainsKey("x-amz-checksum-sha256"), u.Request));
        Assert.All(uploads, u => Assert.DoesNotContain("aws-chunked", u.Headers.GetValueOrDefault("content-encoding") ?? ""));
        Assert.Equal("*", uploads[0].Headers["if-none-match"]);
        Assert.Equal("*", wire.Sent.Single(s => s.Request.StartsWith("POST ", StringComparison.Ordinal) && s.Request.Contains("uploadId=", StringComparison.Ordinal)).Headers["if-none-match"]);

        // Deeper keys and keys of a sibling prefix are not objects of this store.
        S3ServerFixture.Put(store, new PutObjectRequest { Key = store.KeyOf("a.db").Replace("/a.db", "/deeper/x.db", StringComparison.Ordinal), ContentBody = "x" });
        S3ServerFixture.Put(store, new PutObjectRequest { Key = store.KeyOf("a.db").Replace("/a.db", "-sibling/y.db", StringComparison.Ordinal), ContentBody = "y" });

        var listed = store.List().OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["a.db", "a.meta.json"], listed.Select(o => o.Name));
        Assert.Equal([large.Length, small.Length], listed.Select(o => o.Length));
        Assert.All(listed, o => Assert.InRange(o.LastWriteUtc, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.All(listed, o => Assert.Equal(TimeSpan.Zero, o.LastWriteUtc.Offset));

        var found = store.Find("a.db");
        Assert.Equal(large.Length, found?.Length);
        Assert.Null(store.Find("b.db"));
        using (var read = store.OpenRead("a.db"))
        {
            Assert.Equal(Sha256(large), Convert.ToHexStringLower(SHA256.HashData(read)));
        }

        Assert.Throws<FileNotFoundException>(() => store.OpenRead("b.db"));

        store.Delete("a.db");
        store.Delete("a.db");
        store.Delete("never-there.db");
        Assert.Null(store.Find("a.db"));
        Assert.Equal(["a.meta.json"], store.List().Select(o => o.Name));
    }

    [Fact]
    public void Write_of_empty_content_and_of_exactly_one_part_round_trip()
    {
        using var store = s3.Open();
        var exact = RandomNumberGenerator.GetBytes(S3ServerFixture.PartSize);

        Assert.Equal(Sha256([]), store.Write("empty.db", new ForwardOnlyStream([])));
        Assert.Equal(Sha256(exact), store.Write("exact.db", new ForwardOnlyStream(exact)));

        Assert.Equal(0, store.Find("empty.db")?.Length);
        using var read = store.OpenRead("exact.db");
        Assert.Equal(Sha256(exact), Convert.ToHexStringLower(SHA256.HashData(read)));
    }

    [Fact]
    public void List_follows_continuation_past_a_page_and_past_1000_keys()
    {
        // s3rver lists by walking its folder, so 1,001 objects are made as its files: quick, and real to it.
        var prefix = "many" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 1001; i++)
        {
            var file = s3.ObjectFile($"{prefix}/b{i:D4}.db");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, [(byte)i]);
        }

        using var store = s3.Open(prefix);
        using var paged = s3.Open(prefix, change: s => s with { PageSize = 300 });

        Assert.Equal(1001, store.List().Count);
        var names = paged.List().Select(o => o.Name).ToList();
        Assert.Equal(1001, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("b1000.db", names);
    }

    [Fact]
    public void List_of_a_prefix_with_nothing_under_it_is_empty()
    {
        using var store = s3.Open();

        Assert.Empty(store.List());
    }

    [Fact]
    public void Write_to_a_taken_name_throws_exists_and_leaves_the_first_content()
    {
        using var store = s3.Open();
        var first = RandomNumberGenerator.GetBytes(1000);
        store.Write("a.db", new ForwardOnlyStream(first));

        var e = Assert.Throws<StoredObjectExistsException>(() => store.Write("a.db", new ForwardOnlyStream(RandomNumberGenerator.GetBytes(2000))));
        Assert.Throws<StoredObjectExistsException>(() => store.Write("a.db", new ForwardOnlyStream(RandomNumberGenerator.GetBytes(S3ServerFixture.PartSize + 1))));

        Assert.Contains(store.Locate("a.db"), e.Message, StringComparison.Ordinal);
        using var read = store.OpenRead("a.db");
        Assert.Equal(Sha256(first), Convert.ToHexStringLower(SHA256.HashData(read)));
    }

    [Fact]
    public void S3rver_ignores_If_None_Match_on_PutObject_so_the_HEAD_first_keeps_create_only_there()
    {
        // S3 answers 412 PreconditionFailed; s3rver 3.7.1 reads If-None-Match only on GET (controllers/object.js).
        using var store = s3.Open();
        store.Write("a.db", new ForwardOnlyStream([1, 2, 3]));

        S3ServerFixture.Put(store, new PutObjectRequest { Key = store.KeyOf("a.db"), ContentBody = "overwritten", IfNoneMatch = "*" });

        Assert.Equal("overwritten".Length, store.Find("a.db")?.Length);
    }

    [Theory]
    [InlineData(1000, "PUT ")]
    [InlineData(S3ServerFixture.PartSize + 1000, "POST ")]
    public void Write_answered_412_as_S3_answers_a_taken_name_throws_exists(int length, string final)
    {
        var wire = new S3Wire
        {
            // The PutObject, or the CompleteMultipartUpload, meets a name taken after the HEAD.
            Before = request => Task.FromResult(request.RequestUri!.PathAndQuery is var path
                && (request.Method + " ").StartsWith(final, StringComparison.Ordinal) && (final == "PUT " ? !path.Contains("partNumber", StringComparison.Ordinal) : path.Contains("uploadId=", StringComparison.Ordinal))
                ? new HttpResponseMessage(System.Net.HttpStatusCode.PreconditionFailed)
                {
                    Content = new StringContent("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>", Encoding.UTF8, "application/xml"),
                }
                : null),
        };
        using var store = s3.Open(change: wire.Apply);

        Assert.Throws<StoredObjectExistsException>(() => store.Write("a.db", new ForwardOnlyStream(RandomNumberGenerator.GetBytes(length))));

        Assert.Null(store.Find("a.db"));
    }

    [Theory]
    [InlineData(403, "AccessDenied", "Access Denied", true)]
    [InlineData(400, "InvalidRequest", "Object is WORM protected and cannot be overwritten or deleted: object lock", true)]
    [InlineData(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", true)]
    [InlineData(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", false)]
    [InlineData(400, "InvalidRequest", "Something else", false)]
    public void Delete_refused_on_purpose_throws_kept_and_other_failures_throw_IOException(int status, string code, string message, bool refused)
    {
        // s3rver has no object lock; the answers are S3's, given by the test in its place.
        var wire = new S3Wire
        {
            Before = request => Task.FromResult(request.Method == HttpMethod.Delete
                ? new HttpResponseMessage((System.Net.HttpStatusCode)status)
                {
                    Content = new StringContent($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>", Encoding.UTF8, "application/xml"),
                }
                : null),
        };
        using var store = s3.Open(change: wire.Apply);
        store.Write("a.db", new ForwardOnlyStream([1, 2, 3]));

        var e = Assert.ThrowsAny<IOException>(() => store.Delete("a.db"));

        Assert.Equal(refused, e is StoredObjectDeleteRefusedException);
        Assert.Contains(store.Locate("a.db"), e.Message, StringComparison.Ordinal);
        Assert.Contains(code, e.Message, StringComparison.Ordinal);
        Assert.NotNull(store.Find("a.db"));
    }

    [Fact]
    public void List_of_a_missing_bucket_throws_an_IOException_that_names_it()
    {
        using var store = s3.Open(bucket: "no-such-bucket");

        var e = Assert.Throws<IOException>(() => store.List());

        Assert.StartsWith("s3://no-such-bucket/", e.Message, StringComparison.Ordinal);
        Assert.Contains("bucket does not exist (HTTP 404 NoSuchBucket)", e.Message, StringComparison.Ordinal);
        Assert.Null(store.Find("a.db"));
        Assert.Throws<IOException>(() => store.Write("a.db", new ForwardOnlyStream([1])));
    }

    [Fact]
    public void Provider_loaded_by_the_core_reads_the_AWS_variables_and_no_message_carries_a_secret()
    {
        const string Secret = "mimoFAKEsecret/0123456789abcdefghijklmnopqrstuv";
        const string Token = "mimoFAKEsessiontoken0123456789abcdefghijklmnopqrstuvwxyz";
        const string UnknownKeyId = "AKIAMIMOFAKEKEY00001";
        var saved = new Dictionary<string, string?>();
        void Set(string name, string? value)
        {
            saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            // s3rver's only key id is S3RVER, and it checks no V4 signature: any secret is taken. No region is set,
            // so the endpoint's default (us-east-1) is used.
            Set("AWS_ENDPOINT_URL_S3", s3.Server.Endpoint);
            Set("AWS_ENDPOINT_URL", null);
            Set("AWS_ACCESS_KEY_ID", "S3RVER");
            Set("AWS_SECRET_ACCESS_KEY", Secret);
            Set("AWS_SESSION_TOKEN", Token);
            Set("AWS_REGION", null);
            Set("AWS_DEFAULT_REGION", null);
            Set("AWS_PROFILE", "mimo-no-such-profile");

            // The core's own path: Assembly.Load, Activator.CreateInstance of the internal provider type.
            var store = RemoteAddress.Parse("s3://" + S3ServerFixture.Bucket + "/env" + Guid.NewGuid().ToString("N")[..8]).Open();
            Assert.IsType<S3ObjectStore>(store);
            var content = RandomNumberGenerator.GetBytes(4096);
            store.Write("a.db", new ForwardOnlyStream(content));
            Assert.Equal(["a.db"], store.List().Select(o => o.Name));

            var messages = new List<string>
            {
                Assert.Throws<StoredObjectExistsException>(() => store.Write("a.db", new ForwardOnlyStream(content))).Message,
                Assert.Throws<FileNotFoundException>(() => store.OpenRead("b.db")).Message,
                Assert.ThrowsAny<IOException>(() => RemoteAddress.Parse("s3://no-such-bucket/x").Open().List()).Message,
            };

            Set("AWS_ACCESS_KEY_ID", UnknownKeyId);
            var refused = RemoteAddress.Parse("s3://" + S3ServerFixture.Bucket + "/x").Open();
            var denied = Assert.ThrowsAny<IOException>(() => refused.List());
            Assert.Contains("InvalidAccessKeyId", denied.Message, StringComparison.Ordinal);
            messages.Add(denied.Message);
            messages.Add(Assert.ThrowsAny<IOException>(() => refused.Write("a.db", new ForwardOnlyStream([1]))).Message);

            Set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1");
            var unreachable = Assert.ThrowsAny<IOException>(() => RemoteAddress.Parse("s3://" + S3ServerFixture.Bucket + "/x").Open().Find("a.db"));
            Assert.Contains("could not be reached", unreachable.Message, StringComparison.Ordinal);
            messages.Add(unreachable.Message);

            Assert.All(messages, m => Assert.DoesNotContain(UnknownKeyId, m, StringComparison.Ordinal));
            Assert.All(messages, m => Assert.DoesNotContain(Secret, m, StringComparison.Ordinal));
            Assert.All(messages, m => Assert.DoesNotContain(Token, m, StringComparison.Ordinal));
            Assert.All(messages, m => Assert.DoesNotContain("Signature", m, StringComparison.OrdinalIgnoreCase));
            Assert.All(messages, m => Assert.True(m.Length < 300, m));
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public void Redact_removes_key_ids_tokens_signed_queries_and_user_info()
    {
        var redacted = S3Failure.Redact("key AKIAIOSFODNN7EXAMPLE at http://user:pass@host/b/k?X-Amz-Signature=abc token FwoGZXIvYXdzEJr//////////wEaDOx0aXlhbWlsbG9yZTA=");

        Assert.Equal("key (not shown) at http://host/b/k?(not shown) token (not shown)", redacted);
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
