using System.Security.Cryptography;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>A server of its own, since these tests kill it.</summary>
public sealed class AzureBlobServerFaultTests
{
    [Fact]
    public void Write_server_killed_mid_upload_throws_and_after_restart_nothing_is_under_the_name()
    {
        using var azurite = new AzuriteFixture();
        var container = azurite.NewContainer();
        var store = azurite.Open(container, "p");
        store.Write("kept.db", new ForwardOnlyStream([1, 2, 3]));
        WaitUntilPersisted(azurite, "kept.db");

        // Killed after three 1 MiB blocks were read: blocks may be in flight, the commit never happens.
        var content = new ForwardOnlyStream(RandomNumberGenerator.GetBytes(8 * 1024 * 1024), afterBytes: 3 * 1024 * 1024, reached: azurite.Server.Stop);
        var e = Assert.ThrowsAny<IOException>(() => store.Write("x.db", content));
        Assert.IsNotType<StoredObjectExistsException>(e);
        Assert.False(content.Disposed);
        Assert.StartsWith($"azblob://{container}/p/x.db: ", e.Message, StringComparison.Ordinal);

        azurite.Server.Start();
        Assert.Null(store.Find("x.db"));
        Assert.Equal(["kept.db"], store.List().Select(o => o.Name));
        Assert.Throws<FileNotFoundException>(() => store.OpenRead("x.db"));

        // The name is free: a new upload of it succeeds.
        var again = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        store.Write("x.db", new ForwardOnlyStream(again));
        Assert.Equal(again, AzureBlobObjectStoreTests.ReadAll(store, "x.db"));
    }

    /// <summary>
    /// Azurite saves its metadata (a LokiJS file) every 5 s, and a killed Azurite forgets what came after: the test's
    /// own container and blob must be saved before the kill, or the restart would lose them.
    /// </summary>
    private static void WaitUntilPersisted(AzuriteFixture azurite, string name)
    {
        var database = Path.Combine(azurite.Server.DataFolder, "__azurite_db_blob__.json");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!(File.Exists(database) && ReadShared(database).Contains(name, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "Azurite did not save its metadata");
            Thread.Sleep(100);
        }
    }

    private static string ReadShared(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
