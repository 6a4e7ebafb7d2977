using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.AzureBlob;

/// <summary>
/// Serves <c>MimoRemote=azblob://container/prefix</c>: MimoBackup.EfCore finds this type by name when the app
/// references this package, so an app without it never loads the Azure SDK. The account and credential come from the
/// environment (see the package's README).
/// </summary>
public sealed class AzureBlobObjectStoreProvider : IObjectStoreProvider
{
    /// <summary>Creates the provider; it holds nothing until a store is opened.</summary>
    public AzureBlobObjectStoreProvider()
    {
    }

    IObjectStore IObjectStoreProvider.Open(RemoteAddress address) => Open(address, Environment.GetEnvironmentVariable, new AzureBlobTransfer());

    /// <summary>
    /// Opens <paramref name="address"/> with the account that <paramref name="environment"/> names. The variables are
    /// read now; the client is made, and a missing or unusable account reported, on first use. Nothing is sent here.
    /// </summary>
    internal static AzureBlobObjectStore Open(RemoteAddress address, Func<string, string?> environment, AzureBlobTransfer transfer)
    {
        ArgumentNullException.ThrowIfNull(address);
        var account = AzureBlobAccount.Read(environment);
        return new AzureBlobObjectStore(address, () => account.Connect(transfer.ClientOptions()).GetBlobContainerClient(address.Container), transfer);
    }
}
