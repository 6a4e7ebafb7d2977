using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using MimoBackup.EfCore.Tests;

namespace MimoBackup.EfCore.EndToEnd;

/// <summary>
/// SPEC §12 through the packed tool: <c>dotnet tool install</c> from the private feed into the app's tool manifest, then
/// <c>dotnet mimo</c> drives the real app (its DbContext found as dotnet-ef finds it, through the runner of the package
/// the app references) and a bare database file, with the package's own exit codes and JSON alone on standard output.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ToolTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void Installed_tool_backs_up_lists_restores_and_reports_on_the_real_app_with_its_own_exit_codes()
    {
        var app = SampleApp.Create(package, "tool");
        Install(app);

        // A project-file setting: the build writes it into the settings file beside the app, which a production host has.
        var projectFile = Path.Combine(app.Folder, "MimoSample.csproj");
        File.WriteAllText(projectFile, File.ReadAllText(projectFile).Replace("</Project>", "  <PropertyGroup><MimoRetentionDays>45</MimoRetentionDays></PropertyGroup>\n</Project>", StringComparison.Ordinal));
        var database = app.NewDatabasePath("tool");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var environment = new Dictionary<string, string?> { ["ConnectionStrings__Mimo"] = "Data Source=" + database };

        // The first command builds the app, as dotnet-ef does; the build writes the metadata --no-build reads.
        Log("dotnet mimo status (builds first)");
        var status = Mimo(app.Folder, environment, "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("does not exist yet (dotnet ef database update creates it)", status.Output, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(app.Folder, "obj"), "MimoSample.Debug.net10.0.mimo-tool.json"));
        app.Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();
        app.Run(database, "seed", "80").ShouldSucceed();
        var engrams = SampleApp.Scalar(database, "SELECT count(*) FROM Engrams");

        Log("dotnet mimo backup --name before-cleanup --no-build");
        var backup = Mimo(app.Folder, environment, "backup", "--name", "before-cleanup", "--no-build");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var file = Path.GetFileName(Assert.Single(SampleApp.Backups(database)));
        Assert.Contains($"To restore it: dotnet mimo restore {file}", backup.Output, StringComparison.Ordinal);

        Log("dotnet mimo list --json --no-build");
        var list = Mimo(app.Folder, environment, "list", "--json", "--no-build");
        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = JsonNode.Parse(list.Output)!;
        Assert.Equal(database, (string?)listed["database"]);
        Assert.Equal(file, (string?)listed["backups"]![0]!["name"]);
        Assert.True((bool)listed["backups"]![0]!["verified"]!);
        Assert.Equal("20261124121524_DropEngramLegacyScore", (string?)listed["backups"]![0]!["lastMigration"]);

        Log("dotnet mimo restore <name> --no-build");
        SampleApp.Execute(database, "DELETE FROM Tags; DELETE FROM Engrams");
        var restore = Mimo(app.Folder, environment, "restore", "before-cleanup", "--no-build");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(engrams, SampleApp.Scalar(database, "SELECT count(*) FROM Engrams"));
        Assert.Contains("To undo: dotnet mimo restore pre-restore_", restore.Output, StringComparison.Ordinal);

        Log("dotnet mimo status --no-build, from the parent folder with --project");
        var parent = Mimo(app.Root, environment, "status", "--project", Path.Combine("samples", "MimoSample"), "--no-build");
        Assert.True(parent.ExitCode == 0, parent.ToString());
        Assert.Contains("migrations: 3 applied (last 20261124121524_DropEngramLegacyScore), none pending", parent.Output, StringComparison.Ordinal);

        // The package's exit codes, not MSBuild's 1: an unknown backup is bad usage (2), a damaged one fails verification (4).
        Log("errors: restore of an unknown backup, verify of a damaged one");
        var unknown = Mimo(app.Folder, environment, "restore", "nothing-like-it", "--no-build");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("", unknown.Output);
        Assert.Single(unknown.Error.Split('\n'), l => l.StartsWith("error MIMO202: ", StringComparison.Ordinal));
        Flip(Path.Combine(SampleApp.BackupFolder(database), file));
        var verify = Mimo(app.Folder, environment, "verify", "--no-build");
        Assert.Equal(4, verify.ExitCode);
        Assert.Contains("error MIMO206: ", verify.Error, StringComparison.Ordinal);

        Log("dotnet mimo plan --no-build");
        var plan = Mimo(app.Folder, environment, "plan", "--json", "--no-build");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Equal(database, (string?)JsonNode.Parse(plan.Output)!["database"]);

        // The production path: in the app's output folder (as a published app's), --database uses the app's settings file.
        Log("dotnet mimo list --database in the app's output folder, with the settings file the build wrote");
        var output = Path.Combine(app.Folder, "bin", "Debug", "net10.0");
        var inProject = Mimo(app.Folder, environment, "list", "--no-build");
        var published = Mimo(output, null, "list", "--database", database);
        Assert.Contains("within 45 days", inProject.Output, StringComparison.Ordinal);
        Assert.True(published.ExitCode == 0, published.ToString());
        Assert.Contains("within 45 days", published.Output, StringComparison.Ordinal);
        Assert.Contains("Using the settings of MimoSample.mimo.json", published.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Installed_tool_works_on_a_bare_database_file_with_no_project()
    {
        var app = SharedApp.Get(package);
        Install(app);
        var database = app.NewDatabasePath("bare");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        app.Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();
        app.Run(database, "seed", "30").ShouldSucceed();

        // A folder with no project in it, as on a production host (the tool manifest is found above it).
        var host = Path.GetDirectoryName(database)!;
        Log("dotnet mimo backup/list/verify/status --database on a bare file");
        var backup = Mimo(host, null, "backup", "--database", "bare.db");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.Contains("To restore it: dotnet mimo restore backup_", backup.Output, StringComparison.Ordinal);
        Assert.Contains("--database bare.db", backup.Output, StringComparison.Ordinal);
        var list = Mimo(host, null, "list", "--database", "bare.db", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Single(JsonNode.Parse(list.Output)!["backups"]!.AsArray());
        Assert.Equal(0, Mimo(host, null, "verify", "--database", "bare.db").ExitCode);
        var plan = Mimo(host, null, "plan", "--database", "bare.db");
        Assert.Equal(2, plan.ExitCode);
        Assert.Contains("error MIMO209: plan needs the app's migrations", plan.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Installed_tool_on_a_bare_file_uploads_to_s3_and_restores_from_it_once_the_local_backups_are_gone()
    {
        // The production path with MimoRemote: the tool carries the S3 provider itself, the host has no project.
        using var s3 = EmulatorServer.S3rver("mimo-tool");
        var app = SharedApp.Get(package);
        Install(app);
        var database = app.NewDatabasePath("bare-remote");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        app.Ef(database, ["database", "update", "--no-build"]).ShouldSucceed();
        app.Run(database, "seed", "25").ShouldSucceed();
        var engrams = SampleApp.Scalar(database, "SELECT count(*) FROM Engrams");
        var host = Path.GetDirectoryName(database)!;
        var environment = new Dictionary<string, string?>
        {
            ["MimoEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["AWS_ACCESS_KEY_ID"] = "S3RVER",
            ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_S3"] = s3.Endpoint,
        };

        Log("dotnet mimo backup --database bare-remote.db --remote s3://mimo-tool/prod");
        var backup = Mimo(host, environment, "backup", "--database", "bare-remote.db", "--remote", "s3://mimo-tool/prod", "--name", "nightly");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var name = Path.GetFileName(Assert.Single(SampleApp.Backups(database)));
        Assert.Contains($"Mimo: uploaded {name}", backup.Output, StringComparison.Ordinal);

        Log("local backups deleted; dotnet mimo restore nightly --source remote");
        Directory.Delete(SampleApp.BackupFolder(database), recursive: true);
        SampleApp.Execute(database, "DELETE FROM Tags; DELETE FROM Engrams");
        var restore = Mimo(host, environment, "restore", "nightly", "--database", "bare-remote.db", "--remote", "s3://mimo-tool/prod", "--source", "remote");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(engrams, SampleApp.Scalar(database, "SELECT count(*) FROM Engrams"));
    }

    private void Install(SampleApp app)
    {
        // The copy's manifest (.config/dotnet-tools.json, with dotnet-ef) gets the tool, as `dotnet tool install` adds it.
        Log($"dotnet tool install MimoBackup.EfCore.Tool {package.Version} from the private feed");
        var install = ProcessRunner.Run(app.Root, "dotnet", ["tool", "install", "MimoBackup.EfCore.Tool", "--version", package.Version, "--add-source", package.Feed]);
        Assert.True(install.ExitCode == 0 || install.Output.Contains("is already installed", StringComparison.Ordinal), install.Output);
    }

    private static void Flip(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = stream.Length / 2;
        var value = stream.ReadByte();
        stream.Position = stream.Length / 2;
        stream.WriteByte((byte)(value ^ 0x40));
    }

    private void Log(string line)
    {
        log.WriteLine(line);
        Console.WriteLine("end-to-end tool: " + line);
    }

    /// <summary><c>dotnet mimo …</c> with standard output and standard error apart (the JSON must be alone on standard output).</summary>
    private ToolResult Mimo(string folder, Dictionary<string, string?>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("mimo");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Mimo", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in ProcessRunner.Isolation)
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        var error = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet mimo {string.Join(' ', arguments)} did not finish");
        }

        process.WaitForExit();
        var result = new ToolResult(process.ExitCode, output.ToString(), error.ToString());
        log.WriteLine($"$ dotnet mimo {string.Join(' ', arguments)}\n{result}");
        return result;
    }

    private sealed record ToolResult(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
    }
}
