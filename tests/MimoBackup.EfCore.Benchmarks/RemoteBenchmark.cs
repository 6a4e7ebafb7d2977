using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Transfer;
using Azure.Storage.Blobs;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Tests;

/// <summary>
/// <c>--remote [MiB]</c>: upload and download of one backup-sized file through MimoRemote (the provider as an app loads
/// it, the core's SHA-256 check, plain and encrypted) beside the plain SDK's own file transfer (AWS TransferUtility,
/// Azure BlobClient.Upload/DownloadTo) of the same file, against s3rver and Azurite on loopback, in one run.
/// </summary>
internal static class RemoteBenchmark
{
    private const string Bucket = "mimo-bench";
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static int Run(int mib, int runs, string root, IReadOnlyCollection<string> servers)
    {
        var folder = Path.Combine(root, "remote");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "backup_20260101_000000.db");
        if (!File.Exists(file) || new FileInfo(file).Length != mib * 1048576L)
        {
            // Random bytes: nothing on the way can compress them.
            using var output = File.Create(file);
            var block = new byte[1 << 20];
            for (var i = 0; i < mib; i++)
            {
                RandomNumberGenerator.Fill(block);
                output.Write(block);
            }
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        var key = EncryptionKey.Parse(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), "benchmark");
        Console.WriteLine($"remote: {mib} MiB of random bytes, median of {runs} runs after one warm-up, servers on loopback; {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"server",-9} {"candidate",-48} {"median s",9} {"MiB/s",7} {"vs SDK",7}");

        if (servers.Contains("s3rver"))
        {
            using var s3 = EmulatorServer.S3rver(Bucket);
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", s3.Endpoint);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");

            // The plain SDK with the same wire settings as the provider (no aws-chunked trailers, which s3rver would store).
            using var client = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
            {
                ServiceURL = s3.Endpoint,
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
            using var transfer = new TransferUtility(client);
            Compare("s3rver", "s3://" + Bucket, folder, file, sha256, key, mib, runs,
                keyName => transfer.Upload(file, Bucket, keyName),
                (keyName, target) => transfer.Download(target, Bucket, keyName));
        }

        if (servers.Contains("azurite"))
        {
            using var azurite = EmulatorServer.Start("azurite-blob", (port, data) => ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--location", data, "--silent", "--skipApiVersionCheck"]);
            var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};BlobEndpoint={azurite.Endpoint}/devstoreaccount1;";
            Environment.SetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING", connection);
            var container = new BlobServiceClient(connection).GetBlobContainerClient(Bucket);
            container.Create();
            Compare("Azurite", "azblob://" + Bucket, folder, file, sha256, key, mib, runs,
                keyName => container.GetBlobClient(keyName).Upload(file),
                (keyName, target) => container.GetBlobClient(keyName).DownloadTo(target));
        }

        return 0;
    }

    private static void Compare(
        string server,
        string root,
        string folder,
        string file,
        string sha256,
        EncryptionKey key,
        int mib,
        int runs,
        Action<string> plainUpload,
        Action<string, string> plainDownload)
    {
        var name = Path.GetFileName(file);
        var round = 0;
        string Prefix() => "r" + round++.ToString(CultureInfo.InvariantCulture);

        var sdkUp = Measure(server, "plain SDK upload (its own file transfer)", mib, runs, null, () => plainUpload(Prefix() + "/" + name));
        Upload(server, "MimoRemote upload (parts, MD5 per part, SHA-256)", root, folder, file, name, sha256, null, mib, runs, sdkUp, Prefix);
        Upload(server, "MimoRemote upload, encrypted (AES-256-GCM)", root, folder, file, name, sha256, key, mib, runs, sdkUp, Prefix);

        var plainPrefix = Prefix();
        plainUpload(plainPrefix + "/" + name);
        var target = Path.Combine(folder, "download.db");
        var sdkDown = Measure(server, "plain SDK download to a file", mib, runs, null, () =>
        {
            File.Delete(target);
            plainDownload(plainPrefix + "/" + name, target);
        });
        foreach (var encryption in new[] { null, key })
        {
            var prefix = Prefix();
            var store = RemoteStore.Open(RemoteAddress.Parse($"{root}/{prefix}"), encryption, folder);
            using (var content = File.OpenRead(file))
            {
                store.Write(name, content, sha256);
            }

            Measure(server, encryption is null ? "MimoRemote download (restore's temporary file)" : "MimoRemote download, decrypted", mib, runs, sdkDown, () =>
            {
                using var download = RemoteDownload.Fetch(store, name, 0, folder, CancellationToken.None);
            });
        }
    }

    private static void Upload(string server, string candidate, string root, string folder, string file, string name, string sha256, EncryptionKey? key, int mib, int runs, double sdk, Func<string> prefix)
        => Measure(server, candidate, mib, runs, sdk, () =>
        {
            var store = RemoteStore.Open(RemoteAddress.Parse($"{root}/{prefix()}"), key, folder);
            using var content = File.OpenRead(file);
            store.Write(name, content, sha256);
        });

    private static double Measure(string server, string candidate, int mib, int runs, double? sdk, Action action)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        var median = times.Order().ElementAt(times.Count / 2);
        var ratio = sdk is { } plain ? (plain / median).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "";
        Console.WriteLine($"{server,-9} {candidate,-48} {median,9:0.00} {mib / median,7:0} {ratio,7}");
        return median;
    }
}
