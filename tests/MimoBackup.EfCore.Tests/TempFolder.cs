using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>A real folder for real SQLite files, removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mimo-test-" + Guid.NewGuid().ToString("N")[..8]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A killed child process may still be closing its files; the OS cleans temp.
        }
    }

    public static SqliteConnection Open(string database, string? extra = null)
    {
        var connection = new SqliteConnection($"Data Source={database};Pooling=False" + (extra is null ? "" : ";" + extra));
        connection.Open();
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long Scalar(string database, string sql)
    {
        using var connection = Open(database, "Mode=ReadOnly");
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static List<string> Rows(string database, string sql)
    {
        using var connection = Open(database, "Mode=ReadOnly");
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    public static long Count(string database, string table)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return (long)command.ExecuteScalar()!;
    }

    public static string Hash(string file) => Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(file)));

    public static BackupRequest Request(string database, string folder) => new()
    {
        DatabasePath = database,
        BackupFolder = folder,
        Kind = BackupKind.Manual,
        Origin = new OriginFacts("TestContext", "Tests", "1.0.0", "10.0", "test", Environment.MachineName, Environment.UserName),
    };

    /// <summary>A rollback-journal database with two related tables and some thousand rows.</summary>
    public static void CreateNotes(string database, int rows = 2000)
    {
        using var connection = Open(database);
        Execute(connection, """
            CREATE TABLE Chains (Id INTEGER PRIMARY KEY, Name TEXT NOT NULL);
            CREATE TABLE Notes (Id INTEGER PRIMARY KEY, ChainId INTEGER NOT NULL REFERENCES Chains(Id), Body TEXT, Score REAL);
            CREATE INDEX IX_Notes_ChainId ON Notes(ChainId);
            INSERT INTO Chains (Name) VALUES ('a'), ('b'), ('c');
            """);
        Execute(connection, $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
            INSERT INTO Notes (ChainId, Body, Score) SELECT 1 + i % 3, CASE WHEN i % 4 = 0 THEN NULL ELSE printf('note %d %s', i, hex(randomblob(40))) END, i * 0.5 FROM n;
            """);
    }
}
