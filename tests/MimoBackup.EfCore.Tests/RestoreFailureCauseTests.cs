using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>Restore and import failures name their true cause (issue 12, item 3): full disks, side files, links.</summary>
public sealed class RestoreFailureCauseTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static MimoExitCode Run(string verb, CommandTarget target, RecordingOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(verb, target, new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)), output, TimeProvider.System, CancellationToken.None);

    private CommandTarget Target(string database)
        => CommandTarget.ForFile(database, new MimoSettings { BackupDir = _temp.File("backups") }) with { BusyTimeout = TimeSpan.FromSeconds(5) };

    [Theory]
    [InlineData("-wal", true)]
    [InlineData("-wal", false)]
    [InlineData("-shm", true)]
    [InlineData("-journal", false)]
    public void Restore_from_a_side_file_is_MIMO209_give_the_database_and_writes_nothing(string suffix, bool exists)
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 10);
        var other = _temp.File("old.db");
        TempFolder.CreateNotes(other, rows: 20);
        if (exists)
        {
            File.WriteAllBytes(other + suffix, [0x37, 0x7f, 0x06, 0x82, 0, 0, 0, 0]);
        }

        var before = TempFolder.Hash(database);

        var error = Assert.Throws<MimoBackupException>(() => Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", other + suffix)));

        Assert.Equal("MIMO209", error.Error.Code);
        Assert.Contains($"give the database, not its {suffix}", error.Message, StringComparison.Ordinal);
        Assert.Contains("-p:MimoRestoreFrom=" + other + ")", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TempFolder.Hash(database));
        Assert.False(Directory.Exists(_temp.File("backups")));
    }

    [Fact]
    public void Restore_from_a_bare_wal_name_that_is_gone_is_MIMO209_not_MIMO202_and_a_backup_named_wal_still_restores()
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 10);

        var error = Assert.Throws<MimoBackupException>(() => Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", "app.db-wal")));

        Assert.Equal("MIMO209", error.Error.Code);
        Assert.Contains("give the database, not its -wal (-p:MimoRestoreFrom=app.db)", error.Message, StringComparison.Ordinal);

        Assert.Equal(MimoExitCode.Done, Run("backup", Target(database), new RecordingOutput(), ("BackupName", "before-wal")));
        Assert.Equal(MimoExitCode.Done, Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", "before-wal")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Restore_from_a_link_to_the_live_database_is_refused_and_writes_nothing(bool symbolic)
    {
        var database = _temp.File("app.db");
        TempFolder.CreateNotes(database, rows: 10);
        var link = _temp.File("link.db");
        if (symbolic)
        {
            File.CreateSymbolicLink(link, database);
        }
        else if (OperatingSystem.IsWindows() || SmallDisk.Run("ln", database, link) != 0)
        {
            log.WriteLine("SKIPPED: no ln to make a hard link");
            return;
        }

        var before = TempFolder.Hash(database);

        var error = Assert.Throws<MimoBackupException>(() => Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", link)));

        Assert.Equal("MIMO209", error.Error.Code);
        Assert.Contains("is a link to the database", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TempFolder.Hash(database));
        Assert.False(Directory.Exists(_temp.File("backups")), "nothing is written: no pre-restore backup, no audit line");
    }

    [Fact]
    public void Restore_onto_a_full_disk_is_MIMO215_and_the_database_is_unchanged()
    {
        var disk = _temp.File("disk");
        Directory.CreateDirectory(disk);
        if (!SmallDisk.Mount(disk, "size=512k", log))
        {
            return;
        }

        try
        {
            var database = Path.Combine(disk, "app.db");
            TempFolder.CreateNotes(database, rows: 100);
            var big = _temp.File("big.db");
            TempFolder.CreateNotes(big, rows: 20_000);
            var before = TempFolder.Hash(database);

            var error = Assert.Throws<MimoBackupException>(() => Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", big)));

            Assert.Equal("MIMO215", error.Error.Code);
            Assert.Contains("the database is unchanged", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, TempFolder.Hash(database));
            Assert.Equal(100, TempFolder.Scalar(database, "SELECT count(*) FROM Notes"));
            Assert.Equal([database], Directory.GetFiles(disk));
        }
        finally
        {
            SmallDisk.Unmount(disk);
        }
    }

    [Fact]
    public void Restore_whose_pre_restore_backup_fills_the_disk_is_MIMO215_and_the_database_is_unchanged()
    {
        var disk = _temp.File("backups");
        Directory.CreateDirectory(disk);
        if (!SmallDisk.Mount(disk, "size=256k", log))
        {
            return;
        }

        try
        {
            var database = _temp.File("app.db");
            TempFolder.CreateNotes(database, rows: 20_000);
            var small = _temp.File("small.db");
            TempFolder.CreateNotes(small, rows: 10);
            var before = TempFolder.Hash(database);

            var error = Assert.Throws<MimoBackupException>(() => Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", small)));

            Assert.Equal("MIMO215", error.Error.Code);
            Assert.Contains("pre-restore backup", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, TempFolder.Hash(database));
            Assert.DoesNotContain(Directory.GetFiles(disk), f => f.EndsWith(".db", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal));
        }
        finally
        {
            SmallDisk.Unmount(disk);
        }
    }

    [Fact]
    public void Restore_into_a_missing_database_on_a_full_disk_is_MIMO215_and_leaves_no_partial_file()
    {
        var disk = _temp.File("disk");
        Directory.CreateDirectory(disk);
        if (!SmallDisk.Mount(disk, "size=256k", log))
        {
            return;
        }

        try
        {
            var database = Path.Combine(disk, "app.db");
            var big = _temp.File("big.db");
            TempFolder.CreateNotes(big, rows: 20_000);

            var error = Assert.Throws<MimoBackupException>(() => Run("restore", Target(database), new RecordingOutput(), ("RestoreFrom", big)));

            Assert.Equal("MIMO215", error.Error.Code);
            Assert.Empty(Directory.GetFiles(disk));
        }
        finally
        {
            SmallDisk.Unmount(disk);
        }
    }

    [Fact]
    public void Import_onto_a_full_disk_is_MIMO215_and_the_database_is_unchanged()
    {
        var disk = _temp.File("disk");
        Directory.CreateDirectory(disk);
        if (!SmallDisk.Mount(disk, "size=512k", log))
        {
            return;
        }

        try
        {
            var source = _temp.File("source.db");
            ExportSamples.Create(source, seed: 5, rows: 6000);
            var export = JsonExport.Write(new ExportRequest { DatabasePath = source, ExportPath = _temp.File("export.json") }, CancellationToken.None).Path;
            var database = Path.Combine(disk, "app.db");
            ExportSamples.Create(database, seed: 6, rows: 20);
            var before = TempFolder.Hash(database);
            var content = ExportSamples.Content(database);

            var error = Assert.Throws<MimoBackupException>(() => JsonImport.Load(new ImportRequest { DatabasePath = database, ImportPath = export }, CancellationToken.None));

            Assert.Equal("MIMO215", error.Error.Code);
            Assert.Contains("the database is unchanged", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, TempFolder.Hash(database));
            Assert.Equal(content, ExportSamples.Content(database));
        }
        finally
        {
            SmallDisk.Unmount(disk);
        }
    }


}
