using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.EndToEnd;

/// <summary>
/// A copy of samples/MimoSample laid out as in the repository, referencing the packed package from the
/// private feed exactly as a user's app would, with the dotnet-ef of the repository's tool manifest.
/// </summary>
internal sealed class SampleApp
{
    private SampleApp(PackedPackage package, string root)
    {
        Package = package;
        Root = root;
        Folder = Path.Combine(root, "samples", "MimoSample");
        Data = Path.Combine(root, "data");
        Directory.CreateDirectory(Data);
    }

    public PackedPackage Package { get; }

    public string Root { get; }

    public string Folder { get; }

    public string Data { get; }

    public static SampleApp Create(PackedPackage package, string name)
    {
        var root = Path.Combine(package.Root, "apps", name);
        PackedPackage.CopyTree(Repository.Sample, Path.Combine(root, "samples", "MimoSample"), relative => !relative.Contains(".db", StringComparison.Ordinal));
        PackedPackage.CopyFile(Path.Combine(Repository.Root, "samples", "Directory.Build.props"), Path.Combine(root, "samples", "Directory.Build.props"));
        PackedPackage.CopyFile(Path.Combine(Repository.Root, ".config", "dotnet-tools.json"), Path.Combine(root, ".config", "dotnet-tools.json"));
        Directory.CreateDirectory(Path.Combine(root, "build", "feed"));
        File.WriteAllText(
            Path.Combine(root, "build", "feed", "MimoBackup.version.props"),
            $"<Project><PropertyGroup><MimoBackupPackageVersion>{package.Version}</MimoBackupPackageVersion></PropertyGroup></Project>");
        File.WriteAllText(
            Path.Combine(root, "nuget.config"),
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mimo-e2e" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);

        var app = new SampleApp(package, root);
        ProcessRunner.Run(root, "dotnet", ["tool", "restore"]).ShouldSucceed();
        app.Dotnet(["restore"]).ShouldSucceed();
        return app;
    }

    public ProcessResult Build(params string[] properties)
        => Dotnet(["build", "--nologo", .. properties]).ShouldSucceed();

    public ProcessResult Dotnet(IEnumerable<string> arguments, Dictionary<string, string?>? environment = null, TimeSpan? timeout = null)
        => ProcessRunner.Run(Folder, "dotnet", arguments, environment, timeout);

    /// <summary>The real dotnet-ef from the tool manifest, against the given database file.</summary>
    public ProcessResult Ef(string database, IEnumerable<string> arguments, Dictionary<string, string?>? environment = null)
        => Dotnet(["ef", .. arguments, "--connection", "Data Source=" + database], environment);

    /// <summary>
    /// One of the package's MSBuild targets, as a user runs it in the project folder, on the already built app;
    /// with a database, the app's connection string is pointed at it through the environment.
    /// </summary>
    public ProcessResult Msbuild(string target, string? database, params string[] properties)
        => Dotnet(
            ["msbuild", "-nologo", "-t:" + target, "-p:MimoNoBuild=true", .. properties],
            database is null ? null : new Dictionary<string, string?> { ["ConnectionStrings__Mimo"] = "Data Source=" + database });

    /// <summary>Runs the built sample itself (seed, stats) against the given database file.</summary>
    public ProcessResult Run(string database, params string[] arguments)
        => Dotnet(
            [Path.Combine(Folder, "bin", "Debug", "net10.0", "MimoSample.dll"), .. arguments],
            new Dictionary<string, string?> { ["ConnectionStrings__Mimo"] = "Data Source=" + database });

    public string NewDatabasePath(string name) => Path.Combine(Data, name, name + ".db");

    public static string BackupFolder(string database) => Path.Combine(Path.GetDirectoryName(database)!, "backups");

    public static string[] Backups(string database)
        => Directory.Exists(BackupFolder(database))
            ? Directory.GetFiles(BackupFolder(database), "*.db").Order(StringComparer.Ordinal).ToArray()
            : [];

    public static JsonObject Sidecar(string backup) => (JsonObject)JsonNode.Parse(File.ReadAllText(backup + ".meta.json"))!;

    public static List<JsonObject> Audit(string database)
    {
        var path = Path.Combine(BackupFolder(database), "audit.jsonl");
        return File.Exists(path) ? File.ReadAllLines(path).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList() : [];
    }

    public static string[] AppliedMigrations(string database)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return [.. ids];
    }

    public static long Scalar(string database, string sql)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void Execute(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static string? ScalarText(string database, string sql)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    public static string[] Columns(string database, string table)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info($t)";
        command.Parameters.AddWithValue("$t", table);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return [.. names];
    }

    /// <summary>Hash of the database and its WAL: "unchanged" means byte for byte.</summary>
    public static string Fingerprint(string database)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { database, database + "-wal" }.Where(File.Exists))
        {
            sha.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexString(sha.GetHashAndReset());
    }

    private static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }
}
