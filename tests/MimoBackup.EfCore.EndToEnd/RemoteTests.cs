using MimoBackup.EfCore.Tests;

namespace MimoBackup.EfCore.EndToEnd;

/// <summary>
/// Issue 14 through the real dotnet-ef and MSBuild: an app that references MimoBackup.EfCore.S3 uploads the
/// pre-migration backup to an S3 server (s3rver on loopback), encrypted, and restores from it once the local
/// backup folder is gone.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RemoteTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void Update_uploads_its_pre_migration_backup_and_restore_from_remote_works_after_the_local_folder_is_gone()
    {
        using var s3 = EmulatorServer.S3rver("mimo-e2e");
        var app = SampleApp.Create(package, "remote");
        var project = Path.Combine(app.Folder, "MimoSample.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace(
            """<PackageReference Include="MimoBackup.EfCore" Version="$(MimoBackupPackageVersion)" />""",
            """<PackageReference Include="MimoBackup.EfCore" Version="$(MimoBackupPackageVersion)" /><PackageReference Include="MimoBackup.EfCore.S3" Version="$(MimoBackupPackageVersion)" />""",
            StringComparison.Ordinal));
        app.Dotnet(["restore"]).ShouldSucceed();
        app.Build();
        var database = app.NewDatabasePath("remote");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        Log(app.Ef(database, ["database", "update", "Initial", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "40").ShouldSucceed();
        var rows = SampleApp.Scalar(database, "SELECT COUNT(*) FROM Engrams");

        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var environment = new Dictionary<string, string?>
        {
            ["MimoRemote"] = "s3://mimo-e2e/apps/remote",
            ["MimoEncryptionKey"] = key,
            ["AWS_ACCESS_KEY_ID"] = "S3RVER",
            ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_S3"] = s3.Endpoint,
        };
        var update = Log(app.Ef(database, ["database", "update", "--no-build"], environment)).ShouldSucceed();

        var backup = Path.GetFileName(Assert.Single(SampleApp.Backups(database)));
        Assert.Contains($"Mimo: uploaded {backup}", update.Output, StringComparison.Ordinal);
        Assert.Contains("to s3://mimo-e2e/apps/remote", update.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, update.Output, StringComparison.Ordinal);
        Assert.Contains(SampleApp.Audit(database), e => (string?)e["event"] == "remote" && (string?)e["result"] == "ok" && (string?)e["backup"] == backup);
        Assert.DoesNotContain(SampleApp.Audit(database), e => e.ToJsonString().Contains(key, StringComparison.Ordinal));

        // The service holds ciphertext only.
        var stored = Directory.GetFiles(s3.DataFolder, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length > 1000).ToList();
        Assert.NotEmpty(stored);
        Assert.All(stored, f => Assert.DoesNotContain("SQLite format 3", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(f)), StringComparison.Ordinal));

        var migrated = SampleApp.AppliedMigrations(database).Length;
        Assert.True(migrated > 1);
        var msbuild = new Dictionary<string, string?>(environment) { ["ConnectionStrings__Mimo"] = "Data Source=" + database };
        var list = Log(app.Dotnet(["msbuild", "-nologo", "-tl:off", "-t:MimoBackupList", "-p:MimoSource=remote", "-p:MimoNoBuild=true"], msbuild)).ShouldSucceed();
        Assert.Contains(list.Output.Split('\n'), l => l.TrimStart().StartsWith(backup, StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));

        // The disk with the backups is gone; the remote copy brings the pre-migration database back.
        Directory.Delete(SampleApp.BackupFolder(database), recursive: true);
        var restore = Log(app.Dotnet(["msbuild", "-nologo", "-tl:off", "-t:MimoRestore", $"-p:MimoRestoreFrom={backup}", "-p:MimoSource=remote", "-p:MimoNoBuild=true"], msbuild)).ShouldSucceed();

        Assert.Contains($"downloading {backup}", restore.Output, StringComparison.Ordinal);
        Assert.Contains("Mimo: restored", restore.Output, StringComparison.Ordinal);
        Assert.Single(SampleApp.AppliedMigrations(database));
        Assert.Equal(rows, SampleApp.Scalar(database, "SELECT COUNT(*) FROM Engrams"));
        Assert.DoesNotContain(Directory.GetFiles(SampleApp.BackupFolder(database)), f => f.EndsWith(".tmp", StringComparison.Ordinal));

        // Without the key the remote says which key it needs, and nothing is written.
        msbuild.Remove("MimoEncryptionKey");
        var keyless = Log(app.Dotnet(["msbuild", "-nologo", "-tl:off", "-t:MimoBackupList", "-p:MimoSource=remote", "-p:MimoNoBuild=true"], msbuild));
        Assert.NotEqual(0, keyless.ExitCode);
        Assert.Contains("MIMO604", keyless.Output, StringComparison.Ordinal);
    }

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}

/// <summary>An app without remote storage gets no cloud SDK: each provider is a package of its own.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ProviderPackageTests(PackedPackage package)
{
    [Fact]
    public void The_package_depends_on_no_cloud_SDK_and_the_S3_package_brings_the_AWS_SDK_and_this_version_of_the_core()
    {
        string Nuspec(string id)
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(package.Feed, $"{id}.{package.Version}.nupkg"));
            using var reader = new StreamReader(zip.GetEntry(id + ".nuspec")!.Open());
            return reader.ReadToEnd();
        }

        var core = Nuspec("MimoBackup.EfCore");
        var s3 = Nuspec("MimoBackup.EfCore.S3");

        Assert.DoesNotContain("AWSSDK", core, StringComparison.Ordinal);
        Assert.DoesNotContain("Azure.", core, StringComparison.Ordinal);
        Assert.Contains("id=\"AWSSDK.S3\"", s3, StringComparison.Ordinal);
        Assert.Contains($"id=\"MimoBackup.EfCore\" version=\"{package.Version}\"", s3, StringComparison.Ordinal);
    }
}
