using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.AzureBlob;

/// <summary>
/// The objects under one prefix of an Azure Blob container, as block blobs. Every call is the SDK's synchronous one;
/// what the service or the network throws leaves as a short <see cref="IOException"/> (<see cref="AzureBlobFailure"/>).
/// </summary>
internal sealed class AzureBlobObjectStore : IObjectStore
{
    private readonly RemoteAddress address;
    private readonly Lazy<BlobContainerClient> container;

    /// <param name="address">The container and prefix.</param>
    /// <param name="connect">Makes the container's client on first use; an <see cref="IOException"/> it throws is the store's answer to every call.</param>
    /// <param name="transfer">Block size, page size and retry.</param>
    public AzureBlobObjectStore(RemoteAddress address, Func<BlobContainerClient> connect, AzureBlobTransfer transfer)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(transfer);
        this.address = address;
        Transfer = transfer;
        container = new Lazy<BlobContainerClient>(connect);
    }

    public string Location => address.Text;

    public AzureBlobTransfer Transfer { get; }

    /// <summary>Where one blob is, for messages: <c>azblob://container/prefix/name</c>.</summary>
    public string LocationOf(string name) => $"{address.Scheme}://{address.Container}/{address.KeyOf(name)}";

    public IReadOnlyList<StoredObject> List(CancellationToken cancellationToken = default)
    {
        var client = container.Value;
        var prefix = address.Prefix.Length == 0 ? "" : address.Prefix + "/";
        var objects = new List<StoredObject>();
        try
        {
            // The delimiter keeps deeper "folders" out: they come back as prefixes, which are skipped.
            var options = new GetBlobsByHierarchyOptions { Delimiter = "/", Prefix = prefix.Length == 0 ? null : prefix };
            foreach (var page in client.GetBlobsByHierarchy(options, cancellationToken).AsPages(pageSizeHint: Transfer.ListPageSize))
            {
                foreach (var item in page.Values)
                {
                    if (item.IsBlob)
                    {
                        var properties = item.Blob.Properties;
                        objects.Add(new StoredObject(item.Blob.Name[prefix.Length..], properties.ContentLength ?? 0, (properties.LastModified ?? default).ToUniversalTime()));
                    }
                }
            }
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, cancellationToken))
        {
            throw AzureBlobFailure.ToIOException(e, Location);
        }

        return objects;
    }

    public StoredObject? Find(string name, CancellationToken cancellationToken = default)
        => Properties(Blob(name), LocationOf(name), cancellationToken) is { } properties
            ? new StoredObject(name, properties.ContentLength, properties.LastModified.ToUniversalTime())
            : null;

    public Stream OpenRead(string name, CancellationToken cancellationToken = default)
    {
        var blob = Blob(name);
        var location = LocationOf(name);
        try
        {
            // One GET for the whole blob; the SDK's stream resumes a broken body with a ranged GET pinned to the ETag.
            var download = blob.DownloadStreaming(new BlobDownloadOptions(), cancellationToken);
            return new ServiceReadStream(download.Value.Content, e => AzureBlobFailure.IsServiceFailure(e, CancellationToken.None) ? AzureBlobFailure.ToIOException(e, location) : null);
        }
        catch (RequestFailedException e) when (e is { Status: 404 } && e.ErrorCode != "ContainerNotFound")
        {
            throw new FileNotFoundException($"{location} does not exist", location);
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, cancellationToken))
        {
            throw AzureBlobFailure.ToIOException(e, location);
        }
    }

    public string Write(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = Blob(name);
        var location = LocationOf(name);

        // Asked first so that a taken name fails before gigabytes are sent; the commit's If-None-Match decides.
        if (Properties(blob, location, cancellationToken) is not null)
        {
            throw new StoredObjectExistsException(location);
        }

        return new AzureBlobUpload(blob, location, Transfer, cancellationToken).Run(content);
    }

    public void Delete(string name, CancellationToken cancellationToken = default)
    {
        var blob = Blob(name);
        var location = LocationOf(name);
        try
        {
            blob.Delete(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken);
        }
        catch (RequestFailedException e) when (AzureBlobFailure.IsNotFound(e))
        {
            // Already gone (or its container is): what a delete wants.
        }
        catch (RequestFailedException e) when (AzureBlobFailure.RefusalReason(e) is { } reason)
        {
            throw new StoredObjectDeleteRefusedException(location, reason);
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, cancellationToken))
        {
            throw AzureBlobFailure.ToIOException(e, location);
        }
    }

    private BlockBlobClient Blob(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return container.Value.GetBlockBlobClient(address.KeyOf(name));
    }

    /// <summary>The blob's properties, null when there is no such blob; a missing container is an error, not an empty store.</summary>
    private static BlobProperties? Properties(BlobBaseClient blob, string location, CancellationToken cancellationToken)
    {
        try
        {
            return blob.GetProperties(conditions: null, cancellationToken).Value;
        }
        catch (RequestFailedException e) when (e is { Status: 404 } && e.ErrorCode != "ContainerNotFound")
        {
            return null;
        }
        catch (Exception e) when (AzureBlobFailure.IsServiceFailure(e, cancellationToken))
        {
            throw AzureBlobFailure.ToIOException(e, location);
        }
    }
}
