using System.Security.Cryptography;

namespace MimoBackup.EfCore.Tests;

/// <summary>Uploads interrupted by a server that goes away, or by cancellation: nothing is left under the name.</summary>
public sealed class S3FaultTests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public void Server_stopped_mid_upload_fails_the_write_and_leaves_no_object_after_it_is_back()
    {
        using var store = s3.Open();
        var content = RandomNumberGenerator.GetBytes(4 * S3ServerFixture.PartSize);
        var stopped = false;
        var stream = new ForwardOnlyStream(content, position =>
        {
            if (!stopped && position >= 2 * S3ServerFixture.PartSize)
            {
                stopped = true;
                s3.Server.Stop();
            }
        });

        try
        {
            var e = Assert.ThrowsAny<IOException>(() => store.Write("a.db", stream));
            Assert.Contains(store.Locate("a.db"), e.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (stopped)
            {
                s3.Server.Start();
            }
        }

        Assert.True(stopped);
        Assert.Null(store.Find("a.db"));
        Assert.Empty(store.List());
    }

    [Fact]
    public void Write_cancelled_between_parts_throws_cancellation_and_leaves_no_object()
    {
        using var store = s3.Open();
        using var cancel = new CancellationTokenSource();
        var stream = new ForwardOnlyStream(RandomNumberGenerator.GetBytes(3 * S3ServerFixture.PartSize), position =>
        {
            if (position >= S3ServerFixture.PartSize + 1)
            {
                cancel.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => store.Write("a.db", stream, cancel.Token));

        Assert.Null(store.Find("a.db"));
        Assert.Empty(store.List());
    }
}
