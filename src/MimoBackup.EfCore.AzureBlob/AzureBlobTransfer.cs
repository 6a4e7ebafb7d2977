using Azure.Core;
using Azure.Storage.Blobs;

namespace MimoBackup.EfCore.AzureBlob;

/// <summary>
/// How the store talks to the service: block size, listing page size and the SDK's retry. The defaults serve
/// production; tests shrink them so that multi-block uploads and retries stay quick.
/// </summary>
internal sealed record AzureBlobTransfer
{
    /// <summary>Content smaller than this goes in one Put Blob; larger content in blocks of this size (<see cref="BlocksInFlight"/> + 1 buffers of it in memory).</summary>
    public int BlockSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Blocks staged at once (each holds a buffer of <see cref="BlockSize"/>), while the next is read and hashed.</summary>
    public int BlocksInFlight { get; init; } = 4;

    /// <summary>Blobs per listing page; null lets the service choose (5,000).</summary>
    public int? ListPageSize { get; init; }

    /// <summary>Retries of one request after a transient failure (5xx, 408, 429, a broken connection), with exponential backoff.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The first backoff; it doubles (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one try may wait for the network before it counts as failed and is retried.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>The most blocks one blob can have (the service's limit).</summary>
    public const int MaxBlocks = 50_000;

    /// <summary>The SDK's client options with this retry.</summary>
    public BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Delay = RetryDelay;
        options.Retry.MaxDelay = MaxRetryDelay;
        options.Retry.NetworkTimeout = NetworkTimeout;
        return options;
    }
}
