namespace MimoBackup.EfCore.Tests;

/// <summary>The remote commands against Azurite, with the connection string read from the environment as an app has it.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class AzureBlobRemoteCommandsTests(AzuriteFixture azurite) : RemoteCommandsContract, IClassFixture<AzuriteFixture>
{
    private readonly string container = azurite.NewContainer();

    protected override string Root => "azblob://" + container;

    protected override IReadOnlyDictionary<string, string?> Credentials => new Dictionary<string, string?>
    {
        ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString,
    };

    protected override void FlipStoredByte(string key)
    {
        var content = azurite.Service.GetBlobContainerClient(container).GetBlobClient(key).DownloadContent().Value.Content.ToArray();
        var marker = content.AsSpan(content.Length / 2, 64).ToArray();
        var flipped = 0;
        foreach (var file in Directory.EnumerateFiles(azurite.Server.DataFolder, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            if (bytes.AsSpan().IndexOf(marker) is var at and >= 0)
            {
                bytes[at + 10] ^= 0x40;
                File.WriteAllBytes(file, bytes);
                flipped++;
            }
        }

        Assert.Equal(1, flipped);
    }
}
