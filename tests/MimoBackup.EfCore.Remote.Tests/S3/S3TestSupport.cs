using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3.Model;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.S3;

namespace MimoBackup.EfCore.Tests;

/// <summary>One s3rver (jamhall/s3rver, from build/emulators) per test class, with the bucket <see cref="Bucket"/>.</summary>
public sealed class S3ServerFixture : IDisposable
{
    public const string Bucket = "mimo-test";

    /// <summary>S3's minimum part size, so that every upload here is one real S3 would take too.</summary>
    public const int PartSize = 5 * 1024 * 1024;

    internal EmulatorServer Server { get; } = EmulatorServer.S3rver(Bucket);

    /// <summary>A store under a fresh prefix of the bucket (or of <paramref name="bucket"/>), with s3rver's own key.</summary>
    internal S3ObjectStore Open(string? prefix = null, string bucket = Bucket, Func<S3StoreSettings, S3StoreSettings>? change = null)
    {
        var settings = new S3StoreSettings
        {
            ServiceUrl = Server.Endpoint,
            Credentials = new BasicAWSCredentials("S3RVER", "S3RVER"),
            PartSize = PartSize,

            // Fewer retries than the package's, so that a test of a server that is down stays quick.
            Configure = c => c.MaxErrorRetry = 1,
        };
        var address = new RemoteAddress(RemoteAddress.S3, bucket, prefix ?? "t" + Guid.NewGuid().ToString("N")[..8]);
        return new S3ObjectStore(address, change is null ? settings : change(settings));
    }

    /// <summary>The file in which s3rver keeps the bytes of a key: &lt;data&gt;/&lt;bucket&gt;/&lt;dirs&gt;/&lt;last&gt;._S3rver_object.</summary>
    public string ObjectFile(string key)
    {
        var parts = key.Split('/');
        parts[^1] += "._S3rver_object";
        return Path.Combine([Server.DataFolder, Bucket, .. parts]);
    }

    /// <summary>A PutObject of the test's own, past the store (keys it would not write, headers it would not send).</summary>
    internal static void Put(S3ObjectStore store, PutObjectRequest request)
    {
        request.BucketName = store.Bucket;
        request.UseChunkEncoding = false;
        store.Client.PutObjectAsync(request).GetAwaiter().GetResult();
    }

    public void Dispose() => Server.Dispose();
}

/// <summary>
/// The SDK's HTTP traffic seen by a test: every request is recorded, and a test may change a request before it is
/// sent (corrupt a body in transit) or answer it itself (a 412 as S3 gives it), or change an answer.
/// </summary>
internal sealed class S3Wire : HttpClientFactory
{
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Headers of every request, by "METHOD path?query".</summary>
    public ConcurrentQueue<(string Request, Dictionary<string, string> Headers)> Sent { get; } = new();

    public Func<HttpRequestMessage, Task<HttpResponseMessage?>>? Before { get; set; }

    public Action<HttpRequestMessage, HttpResponseMessage>? After { get; set; }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public S3StoreSettings Apply(S3StoreSettings settings)
    {
        var configure = settings.Configure;
        return settings with
        {
            Configure = c =>
            {
                configure?.Invoke(c);
                c.HttpClientFactory = this;
            },
        };
    }

    /// <summary>A copy of a request's body with one byte flipped in the middle, keeping its headers.</summary>
    public static async Task Corrupt(HttpRequestMessage request)
    {
        var bytes = await request.Content!.ReadAsByteArrayAsync();
        bytes[bytes.Length / 2] ^= 0x5A;
        var corrupted = new ByteArrayContent(bytes);
        foreach (var header in request.Content.Headers)
        {
            corrupted.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        request.Content = corrupted;
    }

    private sealed class Handler(S3Wire wire) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var line = request.Method + " " + request.RequestUri!.PathAndQuery;
            wire.Requests.Enqueue(line);
            var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
            wire.Sent.Enqueue((line, headers));
            if (wire.Before is { } before && await before(request) is { } answer)
            {
                return answer;
            }

            var response = await base.SendAsync(request, cancellationToken);
            wire.After?.Invoke(request, response);
            return response;
        }
    }
}
