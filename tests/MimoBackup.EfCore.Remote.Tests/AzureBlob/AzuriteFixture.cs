using Azure.Storage.Blobs;
using MimoBackup.EfCore.AzureBlob;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>One Azurite blob server for a test class, on a free loopback port with its data in a temporary folder.</summary>
public sealed class AzuriteFixture : IDisposable
{
    /// <summary>Azurite's built-in account and its published well-known key (not a secret: every Azurite has it).</summary>
    public const string Account = "devstoreaccount1";
    public const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public AzuriteFixture()
    {
        Server = Start();
        Service = new BlobServiceClient(ConnectionString);
    }

    internal EmulatorServer Server { get; }

    public BlobServiceClient Service { get; }

    public string ServiceUrl => $"{Server.Endpoint}/{Account}";

    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};BlobEndpoint={ServiceUrl};";

    /// <summary>Small blocks, pages and retries: multi-block uploads, pagination and give-ups stay quick.</summary>
    internal static AzureBlobTransfer Quick { get; } = new()
    {
        BlockSize = 1024 * 1024,
        ListPageSize = 2,
        MaxRetries = 2,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        NetworkTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>Azurite 3.37 answers the SDK's newer API version only with --skipApiVersionCheck.</summary>
    internal static EmulatorServer Start() => EmulatorServer.Start("azurite-blob", (port, data) =>
        ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", data, "--silent", "--skipApiVersionCheck"]);

    /// <summary>A new empty container of its own for one test.</summary>
    public string NewContainer()
    {
        var name = "c" + Guid.NewGuid().ToString("N")[..12];
        Service.GetBlobContainerClient(name).Create();
        return name;
    }

    /// <summary>The store as the provider opens it, with the connection string given as its environment variable.</summary>
    internal AzureBlobObjectStore Open(string container, string prefix = "", AzureBlobTransfer? transfer = null, string? connectionString = null)
        => AzureBlobObjectStoreProvider.Open(
            new RemoteAddress(RemoteAddress.AzureBlob, container, prefix),
            name => name == AzureBlobAccount.ConnectionStringVariable ? connectionString ?? ConnectionString : null,
            transfer ?? Quick);

    /// <summary>A store over a client of the test's making (extra pipeline policies).</summary>
    internal static AzureBlobObjectStore Over(BlobServiceClient service, string container, string prefix = "", AzureBlobTransfer? transfer = null)
        => new(new RemoteAddress(RemoteAddress.AzureBlob, container, prefix), () => service.GetBlobContainerClient(container), transfer ?? Quick);

    public void Dispose() => Server.Dispose();
}
