using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;

namespace MimoBackup.EfCore.S3;

/// <summary>
/// How the S3 store talks to the service. The package's own path (<see cref="Default"/>) takes everything from the
/// SDK's standard chains (environment, shared profile, instance role); tests set an endpoint and keys of their own.
/// </summary>
internal sealed record S3StoreSettings
{
    /// <summary>16 MiB: one PutObject up to this size; above it, parts of this size (10,000 parts: up to 160 GiB).</summary>
    public const int DefaultPartSize = 16 * 1024 * 1024;

    /// <summary>The most parts one multipart upload may have (S3's limit).</summary>
    public const int MaxParts = 10_000;

    /// <summary>The settings the provider uses when the core loads it.</summary>
    public static S3StoreSettings Default { get; } = new();

    /// <summary>The size of one part, and of each buffer an upload reads into.</summary>
    public int PartSize { get; init; } = DefaultPartSize;

    /// <summary>
    /// Parts in flight at once: while they travel, the next is read and hashed, so the upload goes at the speed of the
    /// network rather than of the network plus the hashing. Each holds a buffer of <see cref="PartSize"/>.
    /// </summary>
    public int PartsInFlight { get; init; } = 4;

    /// <summary>The most keys one ListObjectsV2 page asks for (S3 never returns more than 1,000).</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>The service URL; null takes <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>, else the SDK's own (AWS, or a profile's endpoint_url).</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>Credentials; null takes the SDK's default chain.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Last changes to the client's configuration (tests: fewer retries, a handler that corrupts a body).</summary>
    public Action<AmazonS3Config>? Configure { get; init; }

    /// <summary>Builds the client. Nothing is sent: the SDK resolves credentials and connects on the first request.</summary>
    public AmazonS3Client CreateClient()
    {
        var config = new AmazonS3Config
        {
            // The v4 SDK by default adds a CRC32 to every upload as a trailer in an aws-chunked body
            // (Content-Encoding: aws-chunked). Older S3-compatible stores do not decode that framing: s3rver
            // stores it as the object's bytes. Each request here carries Content-MD5 and x-amz-checksum-sha256
            // computed from the part in memory instead, which S3 checks and s3rver ignores harmlessly. Downloads
            // are hashed by the core's own verification, so the SDK's response checksums add nothing.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };

        // Transient errors (5xx, throttling, dropped connections) are retried by the SDK with exponential backoff
        // and jitter; a part is sent from a seekable stream over the upload's buffer, so a retry resends the same
        // bytes. The user's AWS_RETRY_MODE / AWS_MAX_ATTEMPTS win when set.
        if (Environment.GetEnvironmentVariable("AWS_RETRY_MODE") is null)
        {
            config.RetryMode = RequestRetryMode.Standard;
        }

        if (Environment.GetEnvironmentVariable("AWS_MAX_ATTEMPTS") is null)
        {
            config.MaxErrorRetry = 4;
        }

        // The SDK reads these variables too, but lazily, and tells nothing of them before its first request (in
        // 4.1, reading ClientConfig.ServiceURL before making the client even makes the client refuse the config):
        // the store reads them itself, to set what an S3-compatible store needs.
        if ((ServiceUrl ?? ConfiguredEndpoint()) is { } endpoint)
        {
            config.ServiceURL = endpoint;

            // S3-compatible stores rarely have a DNS name per bucket, and an IP address never does.
            config.ForcePathStyle = true;
            config.AuthenticationRegion = ConfiguredRegion() ?? RegionEndpoint.USEast1.SystemName;
        }

        Configure?.Invoke(config);
        return Credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(Credentials, config);
    }

    /// <summary>AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.</summary>
    private static string? ConfiguredEndpoint()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is { Length: > 0 } s3 ? s3
            : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 } all ? all
            : null;
    }

    /// <summary>AWS_REGION, AWS_DEFAULT_REGION or the profile's region; not the instance metadata, which is a request.</summary>
    private static string? ConfiguredRegion()
    {
        foreach (var variable in (string[])["AWS_REGION", "AWS_DEFAULT_REGION"])
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } region)
            {
                return region;
            }
        }

        var profile = Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } name ? name : "default";
        return new CredentialProfileStoreChain().TryGetProfile(profile, out var found) ? found.Region?.SystemName : null;
    }
}
