using System.Text;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>Import refuses or rolls back every bad input, and leaves the database byte for byte as it was.</summary>
public sealed class JsonImportTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public JsonImportTests()
    {
        ExportSamples.Create(Source, seed: 5, rows: 200);
        ExportSamples.Create(Target, seed: 6, rows: 100);
    }

    public void Dispose() => _temp.Dispose();

    private string Source => _temp.File("source.db");

    private string Target => _temp.File("target.db");

    [Theory]
    [InlineData(-1)]
    [InlineData(0.5)]
    [InlineData(0.98)]
    [InlineData(-2)]
    public void Import_truncated_file_fails_with_MIMO502_and_changes_nothing(double keep)
    {
        var export = Export();
        var bytes = File.ReadAllBytes(export);
        var manifestEnd = Encoding.UTF8.GetString(bytes).IndexOf("\"data\":[", StringComparison.Ordinal);
        var cut = keep switch { -1 => manifestEnd / 2, -2 => bytes.Length - 3, _ => (int)(bytes.Length * keep) };
        File.WriteAllBytes(export, bytes[..cut]);

        var error = ImportFails(export);

        Assert.Equal("MIMO502", error.Error.Code);
        Assert.Contains(keep switch { -1 => "at the manifest", -2 => "after table 'sqlite_sequence'", _ => "row index" }, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_file_cut_after_a_complete_row_fails_with_MIMO502_naming_the_table()
    {
        var export = Export();
        var text = File.ReadAllText(export, Encoding.UTF8);
        File.WriteAllText(export, text[..(text.IndexOf("{\"table\":\"Typed\"", StringComparison.Ordinal) + 200)]);

        var error = ImportFails(export);

        Assert.Equal("MIMO502", error.Error.Code);
        Assert.Contains("table 'Typed', row index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_malformed_json_fails_with_MIMO502_naming_table_and_row()
    {
        var export = Export();
        var lines = File.ReadAllLines(export, Encoding.UTF8).ToList();
        var first = lines.FindIndex(l => l.StartsWith("{\"table\":\"Keyed\"", StringComparison.Ordinal));
        lines[first + 4] = lines[first + 4].Replace("[", "[,", StringComparison.Ordinal);
        File.WriteAllLines(export, lines, new UTF8Encoding(false));

        var error = ImportFails(export);

        Assert.Equal("MIMO502", error.Error.Code);
        Assert.Contains("table 'Keyed', row index 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_row_with_a_missing_cell_fails_with_MIMO502_naming_table_and_row()
    {
        var export = Export();
        var lines = File.ReadAllLines(export, Encoding.UTF8).ToList();
        var first = lines.FindIndex(l => l.StartsWith("{\"table\":\"Parents\"", StringComparison.Ordinal));
        lines[first + 2] = "[2],";
        File.WriteAllLines(export, lines, new UTF8Encoding(false));

        var error = ImportFails(export);

        Assert.Equal("MIMO502", error.Error.Code);
        Assert.Contains("table 'Parents', row index 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_rows_that_disagree_with_the_manifest_count_fail_with_MIMO502()
    {
        var export = Export();
        var text = File.ReadAllText(export, Encoding.UTF8);
        File.WriteAllText(export, text.Replace("{\"name\":\"Empty\",\"rows\":0,", "{\"name\":\"Empty\",\"rows\":1,", StringComparison.Ordinal));

        var error = ImportFails(export);

        Assert.Equal("MIMO502", error.Error.Code);
        Assert.Contains("manifest says 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_wrong_format_version_fails_with_MIMO503()
    {
        var export = Export();
        Replace(export, "\"formatVersion\":1,", "\"formatVersion\":2,");

        var error = ImportFails(export);

        Assert.Equal("MIMO503", error.Error.Code);
        Assert.Contains("format version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_at_another_migration_is_refused_with_MIMO504_naming_both()
    {
        var export = Export();
        using (var connection = TempFolder.Open(Target))
        {
            TempFolder.Execute(connection, "INSERT INTO \"__EFMigrationsHistory\" VALUES ('20260301000000_Third', '10.0.15')");
        }

        var error = ImportFails(export);

        Assert.Equal("MIMO504", error.Error.Code);
        Assert.Equal(MimoExitCode.Refused, error.Exit);
        Assert.Contains(ExportSamples.LastMigration, error.Message, StringComparison.Ordinal);
        Assert.Contains("20260301000000_Third", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_of_a_table_the_database_does_not_have_fails_with_MIMO505()
    {
        using (var connection = TempFolder.Open(Source))
        {
            TempFolder.Execute(connection, "CREATE TABLE Extra (Id INTEGER PRIMARY KEY); INSERT INTO Extra VALUES (1);");
        }

        var error = ImportFails(Export());

        Assert.Equal("MIMO505", error.Error.Code);
        Assert.Contains("table 'Extra'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_of_a_column_the_database_does_not_have_fails_with_MIMO505()
    {
        using (var connection = TempFolder.Open(Source))
        {
            TempFolder.Execute(connection, "ALTER TABLE Audit ADD COLUMN Extra TEXT;");
        }

        var error = ImportFails(Export());

        Assert.Equal("MIMO505", error.Error.Code);
        Assert.Contains("column 'Extra' of table 'Audit'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_foreign_key_violation_fails_with_MIMO507_naming_table_and_row()
    {
        using (var connection = TempFolder.Open(Source))
        {
            // With foreign keys off, as in many apps that do not use EF, the source can hold a dangling reference.
            TempFolder.Execute(connection, "PRAGMA foreign_keys = OFF; UPDATE Children SET ParentId = 999 WHERE Id = (SELECT Id FROM Children ORDER BY Id LIMIT 1 OFFSET 17);");
        }

        var error = ImportFails(Export());

        Assert.Equal("MIMO507", error.Error.Code);
        Assert.Contains("table 'Children', row index 17", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Parents'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_text_into_a_strict_integer_column_fails_with_MIMO506_naming_table_and_row()
    {
        var export = Export();
        var lines = File.ReadAllLines(export, Encoding.UTF8).ToList();
        var first = lines.FindIndex(l => l.StartsWith("{\"table\":\"Typed\"", StringComparison.Ordinal));
        var cells = lines[first + 5].Split(',');
        cells[1] = "\"not a number\"";
        lines[first + 5] = string.Join(",", cells);
        File.WriteAllLines(export, lines, new UTF8Encoding(false));

        var error = ImportFails(export);

        Assert.Equal("MIMO506", error.Error.Code);
        Assert.Contains("table 'Typed', row index 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_null_into_a_not_null_column_fails_with_MIMO506_naming_table_and_row()
    {
        var export = Export();
        var lines = File.ReadAllLines(export, Encoding.UTF8).ToList();
        var first = lines.FindIndex(l => l.StartsWith("{\"table\":\"Parents\"", StringComparison.Ordinal));
        lines[first + 3] = "[3,null],";
        File.WriteAllLines(export, lines, new UTF8Encoding(false));

        var error = ImportFails(export);

        Assert.Equal("MIMO506", error.Error.Code);
        Assert.Contains("table 'Parents', row index 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("NOT NULL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_integer_beyond_64_bits_fails_with_MIMO506()
    {
        var export = Export();
        var lines = File.ReadAllLines(export, Encoding.UTF8).ToList();
        var first = lines.FindIndex(l => l.StartsWith("{\"table\":\"Empty\"", StringComparison.Ordinal));
        lines.Insert(first + 1, "[9223372036854775808,null]");
        File.WriteAllLines(export, lines, new UTF8Encoding(false));
        Replace(export, "{\"name\":\"Empty\",\"rows\":0,", "{\"name\":\"Empty\",\"rows\":1,");

        var error = ImportFails(export);

        Assert.Equal("MIMO506", error.Error.Code);
        Assert.Contains("table 'Empty', row index 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_of_a_file_that_is_not_an_export_fails_with_MIMO502()
    {
        var file = _temp.File("other.json");
        File.WriteAllText(file, """{"format":"something-else","formatVersion":1,"tables":[],"data":[]}""");

        var error = ImportFails(file);

        Assert.Equal("MIMO502", error.Error.Code);
    }

    [Fact]
    public void Import_of_a_missing_file_fails_with_MIMO508()
    {
        var error = ImportFails(_temp.File("missing.json"));

        Assert.Equal("MIMO508", error.Error.Code);
        Assert.Equal(MimoExitCode.BadUsage, error.Exit);
    }

    [Fact]
    public void Import_takes_the_pre_import_backup_after_checking_the_manifest_and_before_changing_anything()
    {
        var export = Export();
        var before = ExportSamples.Content(Target);
        var backups = _temp.File("backups");

        var result = JsonImport.Load(new ImportRequest
        {
            DatabasePath = Target,
            ImportPath = export,
            TakeBackupFirst = () => BackupWriter.Take(TempFolder.Request(Target, backups) with { Kind = BackupKind.PreImport }, CancellationToken.None),
        }, CancellationToken.None);

        Assert.NotNull(result.Backup);
        Assert.StartsWith("pre-import_", Path.GetFileName(result.Backup.Path), StringComparison.Ordinal);
        Assert.Equal(before, ExportSamples.Content(result.Backup.Path));
        Assert.Equal(ExportSamples.Content(Source), ExportSamples.Content(Target));
    }

    [Fact]
    public void Import_refused_by_the_migration_check_takes_no_backup()
    {
        var export = Export();
        Replace(export, ExportSamples.LastMigration, "20991231000000_Future");
        var called = false;

        var error = Assert.Throws<MimoBackupException>(() => JsonImport.Load(
            new ImportRequest { DatabasePath = Target, ImportPath = export, TakeBackupFirst = () => { called = true; throw new InvalidOperationException(); } },
            CancellationToken.None));

        Assert.Equal("MIMO504", error.Error.Code);
        Assert.False(called);
    }

    [Fact]
    public void Import_fires_no_trigger_and_keeps_the_autoincrement_counters()
    {
        var export = Export();

        JsonImport.Load(new ImportRequest { DatabasePath = Target, ImportPath = export }, CancellationToken.None);

        // The trigger on Parents wrote Audit rows at the source; the file brings them, a firing trigger would double them.
        Assert.Equal(TempFolder.Scalar(Source, "SELECT count(*) FROM Audit"), TempFolder.Scalar(Target, "SELECT count(*) FROM Audit"));
        Assert.Equal(40, TempFolder.Scalar(Target, "SELECT seq FROM sqlite_sequence WHERE name = 'Parents'"));
        Assert.Equal(1, TempFolder.Scalar(Target, "SELECT count(*) FROM sqlite_sequence"));
    }

    [Fact]
    public void Import_keeps_empty_text_and_empty_blobs_apart_from_null()
    {
        using (var connection = TempFolder.Open(Source))
        {
            TempFolder.Execute(connection, "INSERT INTO Empty VALUES (1, ''), (2, NULL), (3, X''), (4, CAST(X'' AS TEXT))");
        }

        JsonImport.Load(new ImportRequest { DatabasePath = Target, ImportPath = Export() }, CancellationToken.None);

        Assert.Equal(ExportSamples.Content(Source), ExportSamples.Content(Target));
        Assert.Equal(2, TempFolder.Scalar(Target, "SELECT count(*) FROM Empty WHERE typeof(Name) = 'text'"));
        Assert.Equal(1, TempFolder.Scalar(Target, "SELECT count(*) FROM Empty WHERE typeof(Name) = 'blob'"));
    }

    private string Export()
        => JsonExport.Write(new ExportRequest { DatabasePath = Source, ExportPath = _temp.File("export.json") }, CancellationToken.None).Path;

    /// <summary>Runs an import that must fail and proves the target is byte for byte what it was.</summary>
    private MimoBackupException ImportFails(string file)
    {
        var before = TempFolder.Hash(Target);
        var content = ExportSamples.Content(Target);

        var error = Assert.Throws<MimoBackupException>(() => JsonImport.Load(new ImportRequest { DatabasePath = Target, ImportPath = file }, CancellationToken.None));

        Assert.Equal(before, TempFolder.Hash(Target));
        Assert.Equal(content, ExportSamples.Content(Target));
        Assert.False(File.Exists(Target + "-journal"));
        return error;
    }

    private static void Replace(string file, string from, string to)
    {
        var text = File.ReadAllText(file, Encoding.UTF8);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal), new UTF8Encoding(false));
    }
}
