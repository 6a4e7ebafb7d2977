using System.Xml.Linq;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>MimoExport and MimoImport as the runner calls them: options, refusals, output, backups and audit lines.</summary>
public sealed class ExportImportCommandsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public ExportImportCommandsTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Source)!);
        Directory.CreateDirectory(Path.GetDirectoryName(Target)!);
    }

    public void Dispose() => _temp.Dispose();

    private string Source => _temp.File(Path.Combine("source", "app.db"));

    private string Target => _temp.File(Path.Combine("target", "app.db"));

    private static string BackupFolder(string database) => Path.Combine(Path.GetDirectoryName(database)!, "backups");

    private static string[] BackupFiles(string database)
        => Directory.Exists(BackupFolder(database)) ? Directory.GetFiles(BackupFolder(database), "*.db") : [];

    private static string[] AuditEvents(string database)
        => [.. new AuditLog(BackupFolder(database)).Read().Select(l => (string)l["event"]!)];

    private static MimoExitCode Run(string verb, string database, RecordingOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(
            verb,
            CommandTarget.ForFile(database, new MimoSettings()) with { BusyTimeout = TimeSpan.FromSeconds(5) },
            new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)),
            output,
            TimeProvider.System,
            CancellationToken.None);

    [Fact]
    public void Export_import_export_through_the_commands_gives_the_same_json_and_a_pre_import_backup_that_undoes_it()
    {
        ExportSamples.Create(Source, seed: 11, rows: 200);
        ExportSamples.Create(Target, seed: 12, rows: 50);
        var targetBefore = ExportSamples.Content(Target);
        var first = _temp.File("memories.json");
        var second = _temp.File("again.json");
        var exported = new RecordingOutput();
        var imported = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("export", Source, exported, ("ExportFile", first)));
        Assert.Equal(MimoExitCode.Done, Run("import", Target, imported, ("ImportFile", first)));
        Assert.Equal(MimoExitCode.Done, Run("export", Target, new RecordingOutput(), ("ExportFile", second)));

        Assert.Equal(ExportSamples.WithoutTimeAndSource(first), ExportSamples.WithoutTimeAndSource(second));
        Assert.Equal(ExportSamples.Content(Source), ExportSamples.Content(Target));

        var exportLine = Assert.Single(exported.Information);
        Assert.Matches(@"^Mimo: exported .+ to .*memories\.json \(\d+ tables, [\d,]+ rows, [\d.]+ KiB, last migration 20260201000000_Second\) in \d+\.\d\d s\.", exportLine);
        Assert.Contains("dotnet msbuild -t:MimoImport -p:MimoImportFile=", exportLine, StringComparison.Ordinal);

        var backup = Assert.Single(BackupFiles(Target));
        Assert.StartsWith("pre-import_", Path.GetFileName(backup), StringComparison.Ordinal);
        var sidecar = BackupSidecar.Load(backup + BackupSidecar.Suffix);
        Assert.Equal(BackupKind.PreImport, sidecar.Kind);
        Assert.True(sidecar.Verification.Passed);
        Assert.Equal(targetBefore, ExportSamples.Content(backup));
        Assert.Collection(
            imported.Information,
            l => Assert.Matches(@"^Mimo: imported .*memories\.json into .+ \(\d+ tables, [\d,]+ rows, [\d.]+ KiB, at migration 20260201000000_Second; foreign_key_check ok\) in \d+\.\d\d s\.$", l),
            l => Assert.EndsWith("To undo: dotnet msbuild -t:MimoRestore -p:MimoRestoreFrom=" + Path.GetFileName(backup), l, StringComparison.Ordinal));

        Assert.Equal(["export"], AuditEvents(Source));
        Assert.Equal(["import", "export"], AuditEvents(Target));
        var audit = new AuditLog(BackupFolder(Target)).Read().First();
        Assert.Equal(first, (string?)audit["file"]);
        Assert.Equal(backup, (string?)audit["preImport"]);
        Assert.Equal(ExportSamples.LastMigration, (string?)audit["lastMigration"]);
        Assert.True((long)audit["rows"]! >= 200);

        // The printed undo works: restoring the pre-import backup by its name brings the old rows back.
        Assert.Equal(MimoExitCode.Done, Run("restore", Target, new RecordingOutput(), ("RestoreFrom", Path.GetFileName(backup))));
        Assert.Equal(targetBefore, ExportSamples.Content(Target));
    }

    [Fact]
    public void Import_dry_run_checks_everything_and_changes_nothing_and_takes_no_backup_while_a_broken_file_still_fails()
    {
        ExportSamples.Create(Source, seed: 11, rows: 200);
        ExportSamples.Create(Target, seed: 12, rows: 50);
        var targetBefore = ExportSamples.Content(Target);
        var file = _temp.File("memories.json");
        Assert.Equal(MimoExitCode.Done, Run("export", Source, new RecordingOutput(), ("ExportFile", file)));
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("import", Target, output, ("ImportFile", file), ("DryRun", "true")));

        var line = Assert.Single(output.Information);
        Assert.StartsWith("Mimo: dry run, nothing was changed:", line, StringComparison.Ordinal);
        Assert.Contains("foreign_key_check is ok", line, StringComparison.Ordinal);
        Assert.Equal(targetBefore, ExportSamples.Content(Target));
        Assert.Empty(BackupFiles(Target));
        Assert.DoesNotContain("import", AuditEvents(Target));

        // The same checks as a real import: a truncated file fails the dry run too.
        var truncated = _temp.File("truncated.json");
        File.WriteAllText(truncated, File.ReadAllText(file)[..(int)(new FileInfo(file).Length / 2)]);
        var error = Assert.Throws<MimoBackupException>(() => Run("import", Target, new RecordingOutput(), ("ImportFile", truncated), ("DryRun", "true")));
        Assert.Equal("MIMO502", error.Error.Code);
        Assert.Equal(targetBefore, ExportSamples.Content(Target));
    }

    [Fact]
    public void Import_at_another_migration_is_refused_with_MIMO504_before_any_change_and_takes_no_backup()
    {
        ExportSamples.Create(Source, seed: 13, rows: 50);
        ExportSamples.Create(Target, seed: 14, rows: 50);
        using (var connection = TempFolder.Open(Target))
        {
            TempFolder.Execute(connection, "DELETE FROM \"__EFMigrationsHistory\" WHERE MigrationId = '" + ExportSamples.LastMigration + "'");
        }

        var file = _temp.File("memories.json");
        Run("export", Source, new RecordingOutput(), ("ExportFile", file));
        var before = TempFolder.Hash(Target);

        var error = Assert.Throws<MimoBackupException>(() => Run("import", Target, new RecordingOutput(), ("ImportFile", file)));

        Assert.Equal("MIMO504", error.Error.Code);
        Assert.Equal(MimoExitCode.Refused, error.Exit);
        Assert.Contains("20260101000000_Init", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TempFolder.Hash(Target));
        Assert.Empty(BackupFiles(Target));
        Assert.Equal(["refusal"], AuditEvents(Target));
    }

    [Fact]
    public void Import_that_fails_after_the_backup_rolls_back_and_keeps_the_pre_import_backup_on_the_record()
    {
        ExportSamples.Create(Source, seed: 15, rows: 100);
        ExportSamples.Create(Target, seed: 16, rows: 50);
        using (var connection = TempFolder.Open(Source))
        {
            TempFolder.Execute(connection, "PRAGMA foreign_keys = OFF; UPDATE Children SET ParentId = 999 WHERE Id = (SELECT min(Id) FROM Children);");
        }

        var file = _temp.File("memories.json");
        Run("export", Source, new RecordingOutput(), ("ExportFile", file));
        var before = TempFolder.Hash(Target);
        var output = new RecordingOutput();

        var error = Assert.Throws<MimoBackupException>(() => Run("import", Target, output, ("ImportFile", file)));

        Assert.Equal("MIMO507", error.Error.Code);
        Assert.Equal(before, TempFolder.Hash(Target));
        var backup = Assert.Single(BackupFiles(Target));
        Assert.StartsWith("pre-import_", Path.GetFileName(backup), StringComparison.Ordinal);
        Assert.Contains(output.Information, l => l.Contains("rolled back", StringComparison.Ordinal) && l.Contains(Path.GetFileName(backup), StringComparison.Ordinal));
        var audit = Assert.Single(new AuditLog(BackupFolder(Target)).Read());
        Assert.Equal("import", (string?)audit["event"]);
        Assert.Equal("MIMO507", (string?)audit["failed"]);
        Assert.Equal(backup, (string?)audit["preImport"]);
    }

    [Fact]
    public void Import_into_a_missing_database_is_refused_with_MIMO207_and_creates_nothing()
    {
        ExportSamples.Create(Source, seed: 17, rows: 10);
        var file = _temp.File("memories.json");
        Run("export", Source, new RecordingOutput(), ("ExportFile", file));

        var error = Assert.Throws<MimoBackupException>(() => Run("import", Target, new RecordingOutput(), ("ImportFile", file)));

        Assert.Equal("MIMO207", error.Error.Code);
        Assert.Contains("dotnet ef database update first", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
        Assert.False(Directory.Exists(BackupFolder(Target)));
    }

    [Fact]
    public void Import_into_an_empty_database_is_refused_with_MIMO504_and_takes_no_backup()
    {
        ExportSamples.Create(Source, seed: 18, rows: 10);
        var file = _temp.File("memories.json");
        Run("export", Source, new RecordingOutput(), ("ExportFile", file));
        File.WriteAllBytes(Target, []);

        var error = Assert.Throws<MimoBackupException>(() => Run("import", Target, new RecordingOutput(), ("ImportFile", file)));

        Assert.Equal("MIMO504", error.Error.Code);
        Assert.Contains("is at migration (none)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(Target).Length);
        Assert.Empty(BackupFiles(Target));
    }

    [Fact]
    public void Export_of_a_missing_database_is_refused_with_MIMO207_and_writes_no_file()
    {
        var file = _temp.File("memories.json");

        var error = Assert.Throws<MimoBackupException>(() => Run("export", Source, new RecordingOutput(), ("ExportFile", file)));

        Assert.Equal("MIMO207", error.Error.Code);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Export_and_import_warn_that_virtual_tables_are_left_out()
    {
        ExportSamples.Create(Source, seed: 17, rows: 20);
        ExportSamples.Create(Target, seed: 18, rows: 20);
        foreach (var database in new[] { Source, Target })
        {
            using var connection = TempFolder.Open(database);
            TempFolder.Execute(connection, "CREATE VIRTUAL TABLE notes_fts USING fts5(body); INSERT INTO notes_fts VALUES ('remember me');");
        }

        var file = _temp.File("memories.json");
        var exported = new RecordingOutput();
        var imported = new RecordingOutput();

        Run("export", Source, exported, ("ExportFile", file));
        Run("import", Target, imported, ("ImportFile", file));

        Assert.Contains(exported.Warnings, w => w.Contains("virtual tables are not exported (notes_fts)", StringComparison.Ordinal));
        Assert.Contains(imported.Warnings, w => w.Contains("virtual tables are not imported (notes_fts)", StringComparison.Ordinal) && w.Contains("'rebuild'", StringComparison.Ordinal));
    }

    [Fact]
    public void Export_onto_the_database_or_another_sqlite_file_is_refused_and_overwrites_nothing()
    {
        ExportSamples.Create(Source, seed: 15, rows: 20);
        ExportSamples.Create(Target, seed: 16, rows: 20);
        var (source, target) = (TempFolder.Hash(Source), TempFolder.Hash(Target));

        foreach (var file in new[] { Source, Target })
        {
            var error = Assert.Throws<MimoBackupException>(() => Run("export", Source, new RecordingOutput(), ("ExportFile", file)));
            Assert.Equal("MIMO209", error.Error.Code);
        }

        Assert.Equal(source, TempFolder.Hash(Source));
        Assert.Equal(target, TempFolder.Hash(Target));
    }

    [Theory]
    [InlineData("export", "ExportFile", "MimoExportFile")]
    [InlineData("import", "ImportFile", "MimoImportFile")]
    public void Export_and_import_without_their_file_property_fail_with_MIMO209(string verb, string option, string property)
    {
        ExportSamples.Create(Target, seed: 19, rows: 10);
        var before = TempFolder.Hash(Target);

        var missing = Assert.Throws<MimoBackupException>(() => Run(verb, Target, new RecordingOutput()));
        var empty = Assert.Throws<MimoBackupException>(() => Run(verb, Target, new RecordingOutput(), (option, "")));

        Assert.Equal("MIMO209", missing.Error.Code);
        Assert.Equal(MimoExitCode.BadUsage, missing.Exit);
        Assert.Contains("-p:" + property + "=", missing.Message, StringComparison.Ordinal);
        Assert.Equal("MIMO209", empty.Error.Code);
        Assert.Equal(before, TempFolder.Hash(Target));
        Assert.Empty(Directory.GetFiles(_temp.Path));
        Assert.False(Directory.Exists(BackupFolder(Target)));
    }

    [Fact]
    public void Every_verb_has_its_target_and_the_file_properties_reach_the_runner()
    {
        var targets = XDocument.Load(Path.Combine(RepositoryRoot(), "build", "package", "MimoBackup.EfCore.targets"));
        var elements = targets.Descendants().ToList();

        foreach (var verb in ManualCommands.Verbs)
        {
            Assert.Contains(elements, e => e.Name.LocalName == "_MimoVerb" && e.Value == verb);
        }

        foreach (var (target, verb) in new[] { ("MimoExport", "Export"), ("MimoImport", "Import") })
        {
            Assert.Contains(elements, e => e.Name.LocalName == "Target" && (string?)e.Attribute("Name") == target
                && (string?)e.Attribute("DependsOnTargets") == $"_MimoVerb{verb};_MimoRun");
            Assert.Contains(elements, e => e.Name.LocalName == "_MimoOption" && (string?)e.Attribute("Include") == verb + "File"
                && (string?)e.Attribute("Value") == $"$(Mimo{verb}File)");
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MimoBackup.EfCore.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("MimoBackup.EfCore.sln not found");
    }
}
