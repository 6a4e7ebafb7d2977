using Amazon.S3;
using Amazon.S3.Model;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.S3;

/// <summary>
/// The objects directly under <c>s3://bucket/prefix</c>. Every call is one or a few S3 requests; the client is made on
/// first use, so opening the store sends nothing and a store that cannot be reached fails where it is used.
/// </summary>
internal sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly RemoteAddress address;
    private readonly Lazy<AmazonS3Client> client;

    public S3ObjectStore(RemoteAddress address, S3StoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(settings);
        this.address = address;
        Settings = settings;
        client = new Lazy<AmazonS3Client>(settings.CreateClient, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Location => address.Text;

    /// <summary>The bucket.</summary>
    public string Bucket => address.Container;

    /// <summary>The part size, page size and client settings.</summary>
    public S3StoreSettings Settings { get; }

    /// <summary>The client, made on first use; failing to make it (no region, a bad endpoint) is an <see cref="IOException"/>.</summary>
    internal AmazonS3Client Client
    {
        get
        {
            try
            {
                return client.Value;
            }
            catch (Exception e) when (S3Failure.IsTranslatable(e, CancellationToken.None) || e is UriFormatException or ArgumentException)
            {
                throw new IOException($"{Location}: the S3 client could not be set up ({S3Failure.Redact(e.Message.Split('\n', 2)[0])})");
            }
        }
    }

    /// <summary>The key of an object.</summary>
    public string KeyOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a flat name", nameof(name));
        }

        return address.KeyOf(name);
    }

    /// <summary>Where an object is, for messages: <c>s3://bucket/prefix/name</c>.</summary>
    public string Locate(string name) => $"s3://{Bucket}/{address.KeyOf(name)}";

    public IReadOnlyList<StoredObject> List(CancellationToken cancellationToken = default)
    {
        var prefix = address.Prefix.Length == 0 ? "" : address.Prefix + "/";
        var request = new ListObjectsV2Request
        {
            BucketName = Bucket,
            Prefix = prefix,

            // Deeper keys come back as common prefixes, which are not objects of this store.
            Delimiter = "/",
            MaxKeys = Settings.PageSize,
        };
        var found = new List<StoredObject>();
        do
        {
            var page = S3Failure.Run(() => Client.ListObjectsV2Async(request, cancellationToken), Location, "listing", cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                var name = item.Key[prefix.Length..];
                if (name.Length > 0 && !name.Contains('/', StringComparison.Ordinal))
                {
                    found.Add(new StoredObject(name, item.Size ?? 0, Utc(item.LastModified)));
                }
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is { Length: > 0 });

        return found;
    }

    public StoredObject? Find(string name, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(name);
        try
        {
            var head = Client.GetObjectMetadataAsync(Bucket, key, cancellationToken).GetAwaiter().GetResult();
            return new StoredObject(name, head.ContentLength, Utc(head.LastModified));
        }
        catch (Exception e) when (S3Failure.IsNotFound(e))
        {
            return null;
        }
        catch (Exception e) when (S3Failure.IsTranslatable(e, cancellationToken))
        {
            throw S3Failure.Translate(e, Locate(name), "reading the object's size");
        }
    }

    public Stream OpenRead(string name, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(name);
        try
        {
            var response = Client.GetObjectAsync(Bucket, key, cancellationToken).GetAwaiter().GetResult();
            var location = Locate(name);

            // Disposing the body disposes the response with it.
            return new ServiceReadStream(response.ResponseStream, e => S3Failure.IsTranslatable(e, CancellationToken.None) ? S3Failure.Translate(e, location, "reading") : null, response);
        }
        catch (Exception e) when (S3Failure.IsNotFound(e) && !S3Failure.IsNoSuchBucket(e))
        {
            throw new FileNotFoundException($"{Locate(name)} does not exist");
        }
        catch (Exception e) when (S3Failure.IsTranslatable(e, cancellationToken))
        {
            throw S3Failure.Translate(e, Locate(name), "reading");
        }
    }

    public string Write(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new S3Upload(this, name, KeyOf(name)).Run(content, cancellationToken);
    }

    public void Delete(string name, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(name);
        try
        {
            Client.DeleteObjectAsync(Bucket, key, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (S3Failure.IsNotFound(e) && !S3Failure.IsNoSuchBucket(e))
        {
            // Already gone (S3 itself answers 204 for a key that is not there; some compatible stores 404).
        }
        catch (Exception e) when (S3Failure.DeleteRefusal(e) is { } reason)
        {
            // Without a version id S3 deletes by adding a delete marker even under object lock, so a refusal
            // here is a policy or a store that locks the key itself.
            throw new StoredObjectDeleteRefusedException(Locate(name), reason);
        }
        catch (Exception e) when (S3Failure.IsTranslatable(e, cancellationToken))
        {
            throw S3Failure.Translate(e, Locate(name), "deleting");
        }
    }

    public void Dispose()
    {
        if (client.IsValueCreated)
        {
            client.Value.Dispose();
        }
    }

    /// <summary>The SDK's time as UTC (it gives a local or an unspecified-kind time depending on where it came from).</summary>
    internal static DateTimeOffset Utc(DateTime? time) => time switch
    {
        null => DateTimeOffset.MinValue,
        { Kind: DateTimeKind.Unspecified } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        { } t => new DateTimeOffset(t.ToUniversalTime()),
    };
}
