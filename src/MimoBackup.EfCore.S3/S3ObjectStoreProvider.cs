using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.S3;

/// <summary>
/// Opens <c>s3://bucket/prefix</c>. The core finds this type by name when <c>MimoRemote</c> is an S3 address and makes
/// it with its public parameterless constructor; credentials, region and endpoint come from the SDK's standard chains.
/// </summary>
internal sealed class S3ObjectStoreProvider : IObjectStoreProvider
{
    private readonly S3StoreSettings settings;

    /// <summary>The provider as the core makes it: everything from the environment and the shared AWS profile.</summary>
    public S3ObjectStoreProvider()
        : this(S3StoreSettings.Default)
    {
    }

    /// <summary>A provider with settings of its own (tests: an endpoint, keys, a small part size).</summary>
    public S3ObjectStoreProvider(S3StoreSettings settings) => this.settings = settings;

    public IObjectStore Open(RemoteAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != RemoteAddress.S3)
        {
            throw new ArgumentException($"'{address}' is not an S3 address", nameof(address));
        }

        return new S3ObjectStore(address, settings);
    }
}
