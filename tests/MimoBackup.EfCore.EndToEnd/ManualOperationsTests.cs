using System.Text.Json.Nodes;

namespace MimoBackup.EfCore.EndToEnd;

/// <summary>
/// SPEC §5 through the packed package: the MSBuild targets find the app's database the way dotnet-ef does and
/// back it up, list, verify, restore and report on it, at the default verbosity of <c>dotnet msbuild</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ManualOperationsTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void Backup_list_corrupt_restore_brings_the_data_back_using_the_connection_string_of_appsettings_only()
    {
        var app = SampleApp.Create(package, "manual-appsettings");
        File.WriteAllText(Path.Combine(app.Folder, "appsettings.json"), """{ "ConnectionStrings": { "Mimo": "Data Source=from-appsettings/memories.db" } }""");
        Directory.CreateDirectory(Path.Combine(app.Folder, "from-appsettings"));
        var database = Path.Combine(app.Folder, "from-appsettings", "memories.db");
        app.Build();
        Log(app.Dotnet(["ef", "database", "update", "--no-build"])).ShouldSucceed();
        app.Run(database, "seed", "120").ShouldSucceed();
        var engrams = SampleApp.Scalar(database, "SELECT count(*) FROM Engrams");

        var backup = Log(app.Msbuild("MimoBackup", null, "-p:MimoBackupName=before-corruption")).ShouldSucceed();

        Assert.Contains("Mimo: verified backup from-appsettings/backups/before-corruption_", backup.Output, StringComparison.Ordinal);
        Assert.Contains("To restore it: dotnet msbuild -t:MimoRestore -p:MimoRestoreFrom=before-corruption_", backup.Output, StringComparison.Ordinal);
        var file = Assert.Single(SampleApp.Backups(database));
        Assert.Equal("backup", (string?)SampleApp.Sidecar(file)["kind"]);

        var list = Log(app.Msbuild("MimoBackupList", null)).ShouldSucceed();
        Assert.Contains("LAST MIGRATION", list.Output, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(file), list.Output, StringComparison.Ordinal);
        Assert.Contains("20261124121524_DropEngramLegacyScore", list.Output, StringComparison.Ordinal);
        var json = Log(app.Msbuild("MimoBackupList", null, "-p:MimoOutput=json")).ShouldSucceed();
        var listed = JsonNode.Parse(json.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("{\"database\"", StringComparison.Ordinal)))!;
        Assert.Equal(database, (string?)listed["database"]);
        Assert.True((bool)listed["backups"]![0]!["verified"]!);

        using (var stream = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            stream.Write("this is no longer a database"u8);
        }

        // Without MimoNoBuild the target builds the app first, as dotnet-ef does.
        var status = Log(app.Dotnet(["msbuild", "-nologo", "-t:MimoStatus"])).ShouldSucceed();
        Assert.Contains("MimoSample -> ", status.Output, StringComparison.Ordinal);
        Assert.Contains("cannot be read", status.Output, StringComparison.Ordinal);

        var restore = Log(app.Msbuild("MimoRestore", null, "-p:MimoRestoreFrom=before-corruption")).ShouldSucceed();

        Assert.Contains("Mimo: restored from-appsettings/memories.db from from-appsettings/backups/before-corruption_", restore.Output, StringComparison.Ordinal);
        Assert.Equal(engrams, SampleApp.Scalar(database, "SELECT count(*) FROM Engrams"));
        Assert.Equal(3, SampleApp.AppliedMigrations(database).Length);
        var healthy = Log(app.Msbuild("MimoStatus", null)).ShouldSucceed().Output;
        Assert.Contains("newest verified", healthy, StringComparison.Ordinal);
        Assert.Contains("journal mode", healthy, StringComparison.Ordinal);
        Assert.Contains("migrations: 3 applied (last 20261124121524_DropEngramLegacyScore), none pending", healthy, StringComparison.Ordinal);

        // The terminal logger shows messages only at -v:detailed; the report then travels in warning MIMO212.
        var terminal = Log(app.Msbuild("MimoStatus", null, "-tl:on")).ShouldSucceed().Output;
        Assert.Contains("MIMO212", terminal, StringComparison.Ordinal);
        Assert.Contains("Mimo: database from-appsettings/memories.db", terminal, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_from_any_path_and_every_refusal_with_its_code_leaves_the_database_as_it_was()
    {
        var app = SharedApp.Get(package);
        var database = app.NewDatabasePath("manual");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        app.Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();
        app.Run(database, "seed", "50").ShouldSucceed();
        var old = Path.Combine(app.Folder, "..", "app.db.old");
        File.Copy(database, old, overwrite: true);
        var oldEngrams = SampleApp.Scalar(database, "SELECT count(*) FROM Engrams");
        app.Run(database, "seed", "50").ShouldSucceed();

        Log(app.Msbuild("MimoRestore", database, "-p:MimoRestoreFrom=../app.db.old")).ShouldSucceed();
        Assert.Equal(oldEngrams, SampleApp.Scalar(database, "SELECT count(*) FROM Engrams"));
        Assert.Single(SampleApp.Backups(database), b => Path.GetFileName(b).StartsWith("pre-restore_", StringComparison.Ordinal));

        app.Msbuild("MimoBackup", database, "-p:MimoBackupName=flipped").ShouldSucceed();
        var flipped = Assert.Single(SampleApp.Backups(database), b => Path.GetFileName(b).StartsWith("flipped_", StringComparison.Ordinal));
        using (var stream = new FileStream(flipped, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length / 2;
            var value = stream.ReadByte();
            stream.Position = stream.Length / 2;
            stream.WriteByte((byte)(value ^ 0x40));
        }

        File.WriteAllText(Path.Combine(app.Folder, "..", "notes.txt"), "not a database");
        var fingerprint = SampleApp.Fingerprint(database);
        var backups = SampleApp.Backups(database).Length;

        Refused(app.Msbuild("MimoBackupVerify", database), "MIMO206", 4);
        Refused(app.Msbuild("MimoRestore", database, "-p:MimoRestoreFrom=flipped"), "MIMO203", 4);
        Refused(app.Msbuild("MimoRestore", database, "-p:MimoRestoreFrom=../notes.txt"), "MIMO203", 4);
        Refused(app.Msbuild("MimoRestore", database, "-p:MimoRestoreFrom=nothing-like-it"), "MIMO202", 2);
        Refused(app.Msbuild("MimoRestore", database), "MIMO209", 2);
        Refused(app.Msbuild("MimoBackup", database, "-p:MimoBackupName=../escape"), "MIMO201", 2);
        Refused(app.Msbuild("MimoStatus", database, "-p:MimoContext=NoSuchContext"), "MIMO208", 1);

        // MimoContext picks the context by name; MimoDatabase names the file whatever the app configures.
        Assert.Contains("Mimo: database ", Log(app.Msbuild("MimoStatus", database, "-p:MimoContext=MemoryContext")).ShouldSucceed().Output, StringComparison.Ordinal);
        var elsewhere = Log(app.Msbuild("MimoStatus", null, "-p:MimoDatabase=" + database)).ShouldSucceed();
        Assert.Contains(database, elsewhere.Output, StringComparison.Ordinal);

        Assert.Equal(fingerprint, SampleApp.Fingerprint(database));
        Assert.Equal(backups, SampleApp.Backups(database).Length);
    }

    private void Refused(ProcessResult result, string code, int exitCode)
    {
        Log(result).ShouldFail();
        Assert.Contains($"error {code}:", result.Output, StringComparison.Ordinal);
        if (exitCode != 1)
        {
            Assert.Contains($"(exit code {exitCode})", result.Output, StringComparison.Ordinal);
        }
    }

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}
