namespace MimoBackup.EfCore.Tests;

/// <summary>The remote commands against s3rver, with the provider read from the AWS variables as an app has them.</summary>
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

    internal override EmulatorServer Server => s3.Server;

    protected override void FlipStoredByte(string key)
    {
        var file = s3.ObjectFile(key);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(file, bytes);
    }
}
