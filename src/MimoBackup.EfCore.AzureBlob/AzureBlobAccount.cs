using Azure;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;

namespace MimoBackup.EfCore.AzureBlob;

/// <summary>
/// Which storage account and credential to use, from the environment the way the Azure CLI and SDK samples name it:
/// <c>AZURE_STORAGE_CONNECTION_STRING</c> first (account key, SAS or the emulator); otherwise the account URL from
/// <c>AZURE_STORAGE_BLOB_ENDPOINT</c> or <c>AZURE_STORAGE_ACCOUNT</c>, signed with <c>AZURE_STORAGE_KEY</c>, else
/// <c>AZURE_STORAGE_SAS_TOKEN</c>, else <see cref="DefaultAzureCredential"/>. Read once when the store is opened; a
/// problem is reported on first use, and never with the value that was read.
/// </summary>
internal sealed record AzureBlobAccount(string? ConnectionString, string? Endpoint, string? Account, string? Key, string? SasToken)
{
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";
    public const string EndpointVariable = "AZURE_STORAGE_BLOB_ENDPOINT";
    public const string AccountVariable = "AZURE_STORAGE_ACCOUNT";
    public const string KeyVariable = "AZURE_STORAGE_KEY";
    public const string SasTokenVariable = "AZURE_STORAGE_SAS_TOKEN";

    /// <summary>The variables as <paramref name="environment"/> has them; blank ones count as unset.</summary>
    public static AzureBlobAccount Read(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        return new AzureBlobAccount(Get(ConnectionStringVariable), Get(EndpointVariable), Get(AccountVariable), Get(KeyVariable), Get(SasTokenVariable));
    }

    /// <summary>The service client; <see cref="IOException"/> naming the variables when none is usable. Sends nothing.</summary>
    public BlobServiceClient Connect(BlobClientOptions options)
    {
        if (ConnectionString is not null)
        {
            try
            {
                return new BlobServiceClient(ConnectionString, options);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                // The parser's message may quote the value, which holds the key: none of it is passed on.
                throw new IOException($"{ConnectionStringVariable} is not a storage connection string (its value is not shown)");
            }
        }

        var url = ServiceUrl();
        try
        {
            return Key is not null ? new BlobServiceClient(url, new StorageSharedKeyCredential(AccountName(url), Key), options)
                : SasToken is not null ? new BlobServiceClient(url, new AzureSasCredential(SasToken), options)
                : url.Query.Length > 1 ? new BlobServiceClient(url, options)
                : new BlobServiceClient(url, new DefaultAzureCredential(), options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new IOException($"the storage account from {Describe()} cannot be used: {e.GetType().Name} (values are not shown)");
        }
    }

    private Uri ServiceUrl()
    {
        if (Endpoint is not null)
        {
            return Uri.TryCreate(Endpoint, UriKind.Absolute, out var url) && url.Scheme is "https" or "http"
                ? url
                : throw new IOException($"{EndpointVariable} is not an http(s) URL (its value is not shown)");
        }

        if (Account is not null)
        {
            return Account.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
                ? new Uri($"https://{Account}.blob.core.windows.net")
                : throw new IOException($"{AccountVariable} is not a storage account name (lower-case letters and digits)");
        }

        throw new IOException(
            $"no Azure storage account is configured: set {ConnectionStringVariable}, or {AccountVariable} (or {EndpointVariable}) "
            + $"with {KeyVariable}, {SasTokenVariable} or a DefaultAzureCredential sign-in");
    }

    /// <summary>The account name a shared key signs for: the variable, else the first label of the endpoint's host.</summary>
    private string AccountName(Uri url)
        => Account ?? (url.IsLoopback && url.Segments.Length > 1 ? url.Segments[1].Trim('/') : url.Host.Split('.')[0]);

    private string Describe() => Endpoint is not null ? EndpointVariable : AccountVariable;
}
