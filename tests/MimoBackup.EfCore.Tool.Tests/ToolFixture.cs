using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

// Invocation (where hints are made for) is process-wide, as it is in the tool: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace MimoBackup.EfCore.Tool.Tests;

/// <summary>What one in-process run of the command line printed and returned.</summary>
internal sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public JsonObject Json => (JsonObject)JsonNode.Parse(Output)!;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>A temp folder with a real SQLite database in it, and the tool run there as `dotnet mimo` would be.</summary>
public abstract class ToolFixture : IDisposable
{
    protected ToolFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "mimo-tool-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Folder);
        Database = Path.Combine(Folder, "app.db");
        Execute(Database, "CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT); INSERT INTO Notes (Body) VALUES ('one'), ('two'), ('three');");
    }

    protected string Folder { get; }

    protected string Database { get; }

    protected string BackupFolder => Path.Combine(Folder, "backups");

    protected string[] Backups() => Directory.Exists(BackupFolder) ? [.. Directory.GetFiles(BackupFolder, "*.db").Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    /// <summary>Runs <c>dotnet mimo args…</c> in <see cref="Folder"/>, with no Mimo* variable of the machine's environment.</summary>
    internal ToolRun Mimo(params string[] args) => MimoWith(new Dictionary<string, string>(), args);

    internal ToolRun MimoWith(Dictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new ToolContext(output, error, Folder, name => environment.TryGetValue(name, out var value) ? value
            : name.StartsWith("Mimo", StringComparison.Ordinal) ? null : Environment.GetEnvironmentVariable(name));
        var exitCode = MimoCommandLine.InvokeAsync(args, context).GetAwaiter().GetResult();
        return new ToolRun(exitCode, output.ToString(), error.ToString());
    }

    internal static long Count(string database, string table = "Notes")
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    internal static void Execute(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp.
        }

        GC.SuppressFinalize(this);
    }
}
