using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;
using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Tests;

/// <summary>Generated databases with every storage class and awkward schema, and exact comparisons of them.</summary>
internal static partial class ExportSamples
{
    public const string LastMigration = "20260201000000_Second";

    public const string Schema = """"
        CREATE TABLE "__EFMigrationsHistory" ("MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY, "ProductVersion" TEXT NOT NULL);
        CREATE TABLE Parents (Id INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT NOT NULL);
        CREATE TABLE Children (Id INTEGER PRIMARY KEY, ParentId INTEGER NOT NULL REFERENCES Parents(Id) ON DELETE CASCADE, Amount REAL, Note TEXT, Payload BLOB);
        CREATE INDEX IX_Children_ParentId ON Children (ParentId);
        CREATE TABLE "we""ird täble" ("Ünïcode col", plain, "x ""y""");
        CREATE TABLE Keyed (K TEXT PRIMARY KEY, V) WITHOUT ROWID;
        CREATE TABLE Typed (Id INTEGER PRIMARY KEY, I INTEGER, R REAL, T TEXT, B BLOB, A ANY) STRICT;
        CREATE TABLE Empty (Id INTEGER PRIMARY KEY, Name TEXT);
        CREATE TABLE Generated (Id INTEGER PRIMARY KEY, A INTEGER, Twice INTEGER GENERATED ALWAYS AS (A * 2) STORED);
        CREATE TABLE Audit (Id INTEGER PRIMARY KEY, Note TEXT);
        CREATE TRIGGER ParentAudit AFTER INSERT ON Parents BEGIN INSERT INTO Audit (Note) VALUES ('parent ' || new.Id); END;
        """";

    private static readonly long[] Integers = [long.MinValue, long.MaxValue, 0, -1, 1, (1L << 53) + 1, -(1L << 53) - 1, int.MaxValue + 1L];

    private static readonly double[] Reals =
        [double.Epsilon, -double.Epsilon, -0.0, 0.0, 1e308, -1e308, double.MaxValue, double.MinValue, double.PositiveInfinity,
         double.NegativeInfinity, 0.1, 1.0, -1.0, 1.5, 9007199254740993.0, 1e-300, 123456789.0, 2.5e15];

    private static readonly string[] Fragments =
        ["a", "Z", " ", "ä", "€", "😀", "\0", "\"", "\\", "\n", "\r\t", "\u0001", "\u001f", "\u007f", "\u2028", "漢字", "'", "</script>", "\uFEFF", "e"];

    /// <summary>Text bytes that are not UTF-8: a lone surrogate, a stray continuation byte, 0xFF, a truncated sequence.</summary>
    private static readonly byte[][] NotUtf8 = [[0xED, 0xA0, 0x80], [0x80], [0xFF, 0x41], [0x61, 0xE2, 0x82], [0xC0, 0xAF]];

    /// <summary>Creates the schema, and history rows that put the database at <see cref="LastMigration"/>.</summary>
    public static void CreateSchema(string database)
    {
        using var connection = TempFolder.Open(database);
        TempFolder.Execute(connection, Schema);
        TempFolder.Execute(connection, $"INSERT INTO \"__EFMigrationsHistory\" VALUES ('20260101000000_Init', '10.0.15'), ('{LastMigration}', '10.0.15');");
    }

    /// <summary>The schema filled with seeded random rows of every storage class.</summary>
    public static void Create(string database, int seed, int rows = 300)
    {
        CreateSchema(database);
        var random = new Random(seed);
        using var connection = TempFolder.Open(database);
        using var transaction = connection.BeginTransaction();
        var parents = 40;
        for (var i = 0; i < parents; i++)
        {
            Insert(connection, "Parents", ["Name"], [RandomText(random)]);
        }

        // Deleted last rows leave the AUTOINCREMENT counter above the largest id: the counter is data too.
        TempFolder.Execute(connection, "DELETE FROM Parents WHERE Id > 35");
        for (var i = 0; i < rows; i++)
        {
            Insert(connection, "Children", ["Id", "ParentId", "Amount", "Note", "Payload"],
                [random.NextInt64(-1_000_000_000_000, 1_000_000_000_000), 1 + random.Next(35), RealOrNull(random), Cell(random), Cell(random)]);
            Insert(connection, "\"we\"\"ird täble\"", ["\"Ünïcode col\"", "plain", "\"x \"\"y\"\"\""], [Cell(random), Cell(random), Cell(random)]);
            Insert(connection, "Keyed", ["K", "V"], [$"k{i}-" + RandomText(random), Cell(random)]);
            Insert(connection, "Typed", ["I", "R", "T", "B", "A"],
                [random.Next(5) == 0 ? null : Integers[random.Next(Integers.Length)] + random.Next(3) - 1,
                 RealOrNull(random),
                 random.Next(3) switch { 0 => null, 1 => RandomText(random), _ => new InvalidText(NotUtf8[random.Next(NotUtf8.Length)]) },
                 random.Next(4) == 0 ? null : RandomBytes(random),
                 Cell(random)]);
            if (i % 3 == 0)
            {
                Insert(connection, "Generated", ["A"], [random.Next(2) == 0 ? null : random.NextInt64(-1000, 1000)]);
            }
        }

        transaction.Commit();
    }

    /// <summary>A database at the same migration with the same schema and no rows (but the history), as `database update` leaves it.</summary>
    public static void CreateFresh(string database) => CreateSchema(database);

    /// <summary>
    /// Every table's <c>SELECT *</c>, in its own order, each cell as its storage class and exact value: integers
    /// and the bits of reals as numbers, text and blobs as the hex of their bytes.
    /// </summary>
    public static List<string> Content(string database)
    {
        using var connection = TempFolder.Open(database, "Mode=ReadOnly");
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var content = new List<string>();
        foreach (var table in tables)
        {
            var columns = new List<string>();
            using (var info = connection.CreateCommand())
            {
                info.CommandText = "SELECT name FROM pragma_table_xinfo($t) ORDER BY cid";
                info.Parameters.AddWithValue("$t", table);
                using var reader = info.ExecuteReader();
                while (reader.Read())
                {
                    columns.Add(Quote(reader.GetString(0)));
                }
            }

            using var select = connection.CreateCommand();
            select.CommandText = "SELECT *, " + string.Join(", ", columns.Select(c => $"typeof({c}), hex(CAST({c} AS BLOB))")) + " FROM " + Quote(table);
            using var rows = select.ExecuteReader();
            content.Add($"table {table} ({string.Join(", ", columns)})");
            while (rows.Read())
            {
                var cells = new List<string>();
                for (var i = 0; i < columns.Count; i++)
                {
                    var type = rows.GetString(columns.Count + 2 * i);
                    cells.Add(type + ":" + type switch
                    {
                        "integer" => rows.GetInt64(i).ToString(CultureInfo.InvariantCulture),
                        "real" => BitConverter.DoubleToInt64Bits(rows.GetDouble(i)).ToString("X16", CultureInfo.InvariantCulture),
                        "null" => "",
                        _ => rows.GetString(columns.Count + 2 * i + 1),
                    });
                }

                content.Add(string.Join(" | ", cells));
            }
        }

        return content;
    }

    /// <summary>The export without the two fields that legitimately differ: when and from where.</summary>
    public static string WithoutTimeAndSource(string exportFile)
        => TimeAndSource().Replace(File.ReadAllText(exportFile, Encoding.UTF8), "\"source\":\"-\",\"exportedUtc\":\"-\"", 1);

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void Insert(SqliteConnection connection, string table, string[] columns, object?[] values)
    {
        using var command = connection.CreateCommand();
        var expressions = new List<string>();
        for (var i = 0; i < values.Length; i++)
        {
            var name = "$p" + i.ToString(CultureInfo.InvariantCulture);
            if (values[i] is InvalidText text)
            {
                // The only way to hold bytes that are not UTF-8 as TEXT: a blob cast, as a C program could bind them.
                expressions.Add($"CAST({name} AS TEXT)");
                command.Parameters.AddWithValue(name, text.Bytes);
            }
            else
            {
                expressions.Add(name);
                command.Parameters.AddWithValue(name, values[i] ?? DBNull.Value);
            }
        }

        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", expressions)})";
        command.ExecuteNonQuery();
    }

    private static object? Cell(Random random) => random.Next(10) switch
    {
        0 => null,
        1 => Integers[random.Next(Integers.Length)],
        2 => random.NextInt64(long.MinValue, long.MaxValue),
        3 => Reals[random.Next(Reals.Length)],
        4 => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300)),
        5 => RandomText(random),
        6 => random.Next(2) == 0 ? string.Empty : "\0",
        7 => new InvalidText(NotUtf8[random.Next(NotUtf8.Length)]),
        8 => RandomBytes(random),
        _ => random.Next(2) == 0 ? "1.0" : "-0",
    };

    private static object? RealOrNull(Random random) => random.Next(4) switch
    {
        0 => null,
        1 => Reals[random.Next(Reals.Length)],
        2 => (double)random.Next(-5, 5),
        _ => random.NextDouble() * Math.Pow(10, random.Next(-20, 20)),
    };

    private static string RandomText(Random random)
        => string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => Fragments[random.Next(Fragments.Length)]));

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 48)];
        random.NextBytes(bytes);
        return bytes;
    }

    [GeneratedRegex("\"source\":\"(?:[^\"\\\\]|\\\\.)*\",\"exportedUtc\":\"[^\"]*\"")]
    private static partial Regex TimeAndSource();

    private sealed record InvalidText(byte[] Bytes);
}
