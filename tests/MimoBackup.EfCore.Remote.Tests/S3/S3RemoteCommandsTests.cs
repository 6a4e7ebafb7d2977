using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// The remote commands against s3rver, with the provider read from the AWS variables as an app has them; and a server
/// that is down during a backup (s3rver can be killed at any moment; Azurite loses what it had not saved yet).
/// </summary>
[Collection(ProcessEnvironment.Name)]
public sealed class S3RemoteCommandsTests(S3ServerFixture s3) : RemoteCommandsContract, IClassFixture<S3ServerFixture>
{
    protected override string Root => "s3://" + S3ServerFixture.Bucket;

    protected override IReadOnlyDictionary<string, string?> Credentials => new Dictionary<string, string?>
    {
        ["AWS_ENDPOINT_URL_S3"] = s3.Server.Endpoint,
        ["AWS_ENDPOINT_URL"] = null,
        ["AWS_ACCESS_KEY_ID"] = "S3RVER",
        ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
        ["AWS_SESSION_TOKEN"] = null,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_MAX_ATTEMPTS"] = "2",
    };

    protected override void FlipStoredByte(string key)
    {
        var file = s3.ObjectFile(key);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(file, bytes);
    }

    [Fact]
    public void A_server_that_is_down_makes_the_backup_warn_MIMO601_and_the_next_backup_uploads_both()
    {
        s3.Server.Stop();
        RecordingOutput output;
        try
        {
            output = new RecordingOutput();
            Assert.Equal(MimoExitCode.Done, Run("backup", Target(), output, ("BackupName", "while-down")));
        }
        finally
        {
            s3.Server.Start();
        }

        Assert.Contains(output.Warnings, w => w.Contains("MIMO601", StringComparison.Ordinal));
        Assert.Contains(new AuditLog(Backups).Read(), l => (string?)l["event"] == "remote" && (string?)l["result"] == "failed");
        var status = new RecordingOutput();
        Run("status", Target(), status);
        Assert.Contains(status.Warnings, w => w.Contains("is not on", StringComparison.Ordinal) && w.Contains("retries it", StringComparison.Ordinal));

        var next = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(), next));

        Assert.Equal(2, next.Information.Count(l => l.StartsWith("Mimo: uploaded", StringComparison.Ordinal)));
        var list = new RecordingOutput();
        Run("list", Target(), list, ("Source", "remote"));
        Assert.Contains(list.Information, l => l.Contains("2 complete", StringComparison.Ordinal));
    }
}
