using System.Text.Json;
using System.Text;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>The JSON export on real files, and the exactness of export → import → export.</summary>
public sealed class JsonExportTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20261124)]
    public void Export_import_export_generated_tables_give_the_same_json_and_the_same_rows(int seed)
    {
        ExportSamples.Create(Database, seed);
        var copy = _temp.File("copy.db");
        ExportSamples.CreateFresh(copy);

        var first = Export(Database, "first.json");
        var imported = JsonImport.Load(new ImportRequest { DatabasePath = copy, ImportPath = first.Path }, CancellationToken.None);
        var second = Export(copy, "second.json");

        Assert.Equal(ExportSamples.WithoutTimeAndSource(first.Path), ExportSamples.WithoutTimeAndSource(second.Path));
        Assert.Equal(ExportSamples.Content(Database), ExportSamples.Content(copy));
        Assert.Equal(first.Rows, imported.Rows);
        Assert.True(first.Rows > 1000);
    }

    [Fact]
    public void Export_import_replaces_existing_rows_in_a_database_that_has_some()
    {
        ExportSamples.Create(Database, seed: 7);
        var other = _temp.File("other.db");
        ExportSamples.Create(other, seed: 8, rows: 50);
        Assert.NotEqual(ExportSamples.Content(Database), ExportSamples.Content(other));

        var export = Export(Database, "export.json");
        JsonImport.Load(new ImportRequest { DatabasePath = other, ImportPath = export.Path }, CancellationToken.None);

        Assert.Equal(ExportSamples.Content(Database), ExportSamples.Content(other));
    }

    [Fact]
    public void Export_import_of_a_utf16_database_keeps_its_text()
    {
        var copy = _temp.File("copy.db");
        foreach (var database in new[] { Database, copy })
        {
            using var connection = TempFolder.Open(database);
            TempFolder.Execute(connection, "PRAGMA encoding = 'UTF-16le'; CREATE TABLE Words (Id INTEGER PRIMARY KEY, Word TEXT, Extra);");
        }

        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "INSERT INTO Words (Word, Extra) VALUES ('täble 😀', X'00FF'), ('', 1.5), (char(0) || 'x', 'ü');");
        }

        var first = Export(Database, "first.json");
        JsonImport.Load(new ImportRequest { DatabasePath = copy, ImportPath = first.Path }, CancellationToken.None);

        Assert.Contains("[1,\"täble 😀\",{\"b\":\"AP8=\"}]", File.ReadAllText(first.Path, Encoding.UTF8), StringComparison.Ordinal);
        Assert.Equal(ExportSamples.Content(Database), ExportSamples.Content(copy));
        Assert.Equal(ExportSamples.WithoutTimeAndSource(first.Path), ExportSamples.WithoutTimeAndSource(Export(copy, "second.json").Path));
    }

    [Fact]
    public void Export_writes_the_manifest_first_with_counts_columns_and_last_migration()
    {
        ExportSamples.Create(Database, seed: 1, rows: 30);

        var export = Export(Database, "export.json");

        using var json = JsonDocument.Parse(File.ReadAllBytes(export.Path));
        var root = json.RootElement;
        Assert.Equal(["format", "formatVersion", "source", "exportedUtc", "lastMigration", "tables", "data"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("mimo-export", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("formatVersion").GetInt32());
        Assert.Equal(ExportSamples.LastMigration, root.GetProperty("lastMigration").GetString());
        Assert.Equal(Path.GetFullPath(Database), root.GetProperty("source").GetString());
        var tables = root.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(
            ["Audit", "Children", "Empty", "Generated", "Keyed", "Parents", "Typed", "__EFMigrationsHistory", "we\"ird täble", "sqlite_sequence"],
            root.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(2, tables["__EFMigrationsHistory"].GetProperty("rows").GetInt64());
        Assert.Equal(0, tables["Empty"].GetProperty("rows").GetInt64());
        Assert.Equal(30, tables["Typed"].GetProperty("rows").GetInt64());
        Assert.True(tables["Keyed"].GetProperty("withoutRowid").GetBoolean());
        Assert.True(tables["Typed"].GetProperty("strict").GetBoolean());
        Assert.StartsWith("CREATE TABLE Typed", tables["Typed"].GetProperty("sql").GetString(), StringComparison.Ordinal);
        // A generated column follows from the others and cannot be inserted: it is not exported.
        Assert.Equal(["Id", "A"], tables["Generated"].GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["Ünïcode col", "plain", "x \"y\""], tables["we\"ird täble"].GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var id = tables["Parents"].GetProperty("columns")[0];
        Assert.Equal("INTEGER", id.GetProperty("type").GetString());
        Assert.Equal(1, id.GetProperty("primaryKey").GetInt32());
        Assert.True(tables["Parents"].GetProperty("columns")[1].GetProperty("notNull").GetBoolean());
        foreach (var data in root.GetProperty("data").EnumerateArray())
        {
            var name = data.GetProperty("table").GetString()!;
            Assert.Equal(tables[name].GetProperty("rows").GetInt64(), data.GetProperty("rows").GetArrayLength());
        }
    }

    [Fact]
    public void Export_cells_keep_their_own_storage_class_and_exact_value()
    {
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, """
                CREATE TABLE Cells (Id INTEGER PRIMARY KEY, V);
                INSERT INTO Cells (V) VALUES (9223372036854775807), (-9223372036854775808), (1.0), (-0.0), (0.1), (4.9406564584124654E-324),
                    (1e308), (9e999), (-9e999), ('1.0'), (''), (X''), (X'00FF10'), ('a"b\c' || char(0) || char(10) || char(31) || 'ä😀'),
                    (CAST(X'EDA080' AS TEXT)), (NULL), (0.0/0), (12), (1e15), (123.456);
                """);
        }

        var export = Export(Database, "export.json");

        var rows = File.ReadAllLines(export.Path, Encoding.UTF8).SkipWhile(l => !l.StartsWith("{\"table\":\"Cells\"", StringComparison.Ordinal)).Skip(1).Take(20);
        Assert.Equal(
            [
                "[1,9223372036854775807],",
                "[2,-9223372036854775808],",
                "[3,1.0],",
                "[4,-0.0],",
                "[5,0.1],",
                "[6,5E-324],",
                "[7,1E+308],",
                "[8,{\"r\":\"Infinity\"}],",
                "[9,{\"r\":\"-Infinity\"}],",
                "[10,\"1.0\"],",
                "[11,\"\"],",
                "[12,{\"b\":\"\"}],",
                "[13,{\"b\":\"AP8Q\"}],",
                "[14,\"a\\\"b\\\\c\\u0000\\n\\u001Fä😀\"],",
                "[15,{\"t64\":\"7aCA\"}],",
                "[16,null],",
                "[17,null],", // SQLite stores NaN as NULL
                "[18,12],",
                "[19,1000000000000000.0],",
                "[20,123.456]",
            ],
            rows);
    }

    [Fact]
    public void Export_of_a_wal_database_includes_rows_that_live_only_in_the_wal_file()
    {
        TempFolder.CreateNotes(Database, rows: 100);
        using var writer = TempFolder.Open(Database);
        TempFolder.Execute(writer, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
        TempFolder.Execute(writer, "INSERT INTO Notes (ChainId, Body) VALUES (1, 'only in the wal');");

        var export = Export(Database, "export.json");

        Assert.Equal(101, export.Tables.Single(t => t.Name == "Notes").Rows);
        Assert.Contains("only in the wal", File.ReadAllText(export.Path), StringComparison.Ordinal);
        Assert.Null(export.LastMigration);
    }

    [Fact]
    public void Export_replaces_an_older_export_and_leaves_no_temporary_file()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        var folder = _temp.File("exports");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "export.json"), "older");

        var export = JsonExport.Write(new ExportRequest { DatabasePath = Database, ExportPath = Path.Combine(folder, "export.json") }, CancellationToken.None);

        Assert.Equal([export.Path], Directory.GetFiles(folder));
        Assert.Equal(new FileInfo(export.Path).Length, export.Bytes);
        using var _ = JsonDocument.Parse(File.ReadAllBytes(export.Path));
    }

    [Fact]
    public void Export_into_a_folder_that_is_a_file_fails_with_MIMO501()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        File.WriteAllText(_temp.File("not-a-folder"), "x");

        var error = Assert.Throws<MimoBackupException>(() => JsonExport.Write(
            new ExportRequest { DatabasePath = Database, ExportPath = Path.Combine(_temp.File("not-a-folder"), "export.json") }, CancellationToken.None));

        Assert.Equal("MIMO501", error.Error.Code);
        Assert.Equal(MimoExitCode.Failed, error.Exit);
    }

    [Fact]
    public void Export_of_a_missing_database_fails_with_MIMO509_and_writes_nothing()
    {
        var error = Assert.Throws<MimoBackupException>(() => Export(_temp.File("missing.db"), "export.json"));

        Assert.Equal("MIMO509", error.Error.Code);
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void Export_of_a_file_that_is_not_a_database_fails_with_MIMO106()
    {
        File.WriteAllText(Database, new string('x', 5000));

        var error = Assert.Throws<MimoBackupException>(() => Export(Database, "export.json"));

        Assert.Equal("MIMO106", error.Error.Code);
        Assert.False(File.Exists(_temp.File("export.json")));
    }

    [Fact]
    public void Export_cancelled_leaves_no_file()
    {
        TempFolder.CreateNotes(Database, rows: 10);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => JsonExport.Write(new ExportRequest { DatabasePath = Database, ExportPath = _temp.File("export.json") }, cancelled.Token));

        Assert.Equal([Database], Directory.GetFiles(_temp.Path));
    }

    private ExportResult Export(string database, string name)
        => JsonExport.Write(new ExportRequest { DatabasePath = database, ExportPath = _temp.File(name) }, CancellationToken.None);
}
