using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore;

// Times MimoBackup's snapshot and verified backup against cp, `sqlite3 .backup`, the three-step
// `.backup` + `integrity_check` + `sha256sum`, and `sqlite3 -json`, all in the same run on the same
// generated WAL databases; then the JSON export against `sqlite3 -json` and the import, with the peak
// memory of each measured in a child process.
// The compare section times the rehearsal's parts and the row-level comparison on a migration that rebuilds the
// largest table and one that drops a column, beside the verified backup, with the comparison's peak memory.
// Usage: [--sizes 10,100,1024] [--runs 3] [--folder DIR] [--sections backup,export,compare] [--export-size 1024]
// `--retention [N]` instead times retention on a folder of N backups (default 10000): scan + decide, a dry-run prune,
// a full deserialisation of every sidecar for comparison, and one real prune.
// `--remote [MiB]` instead times upload and download through MimoRemote beside the plain SDK (default 1024 MiB), on
// `--servers s3rver,azurite` (both by default).
if (args.Contains("--remote"))
{
    return RemoteBenchmark.Run(
        int.Parse(args.SkipWhile(a => a != "--remote").Skip(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "1024", CultureInfo.InvariantCulture),
        int.Parse(Option("--runs", "3"), CultureInfo.InvariantCulture),
        Option("--folder", Path.Combine(Path.GetTempPath(), "mimo-benchmark")),
        Option("--servers", "s3rver,azurite").Split(','));
}

if (args.Contains("--retention"))
{
    return Retention(
        int.Parse(args.SkipWhile(a => a != "--retention").Skip(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "10000", CultureInfo.InvariantCulture),
        int.Parse(Option("--runs", "5"), CultureInfo.InvariantCulture),
        Option("--folder", Path.Combine(Path.GetTempPath(), "mimo-benchmark")));
}

if (args is ["export-child", var exportSource, var exportTarget])
{
    return Child(() => JsonExport.Write(new ExportRequest { DatabasePath = exportSource, ExportPath = exportTarget }, CancellationToken.None).Rows);
}

if (args is ["compare-child", var compareBefore, var compareAfter])
{
    return Child(() => DataChanges.Compare(compareBefore, compareAfter, [], TimeSpan.FromSeconds(30), CancellationToken.None).Tables.Count);
}

if (args is ["import-child", var importTarget, var importFile])
{
    return Child(() => JsonImport.Load(new ImportRequest { DatabasePath = importTarget, ImportPath = importFile }, CancellationToken.None).Rows);
}

var sections = Option("--sections", "backup,export").Split(',');
var exportSize = int.Parse(Option("--export-size", "1024"), CultureInfo.InvariantCulture);
var sizes = Option("--sizes", "10,100,1024").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var runs = int.Parse(Option("--runs", "3"), CultureInfo.InvariantCulture);
var folder = Option("--folder", Path.Combine(Path.GetTempPath(), "mimo-benchmark"));
Directory.CreateDirectory(folder);
SQLitePCL.Batteries_V2.Init();

Console.WriteLine($"MimoBackup.EfCore benchmark: median of {runs} runs after one warm-up, page cache warm for every candidate; {Environment.ProcessorCount} cores");
Console.WriteLine($"SQLite in-process {Shell("sqlite3", "-version").Split(' ')[0]} (shell) / {SqliteVersion()} (package)");
Console.WriteLine();
Console.WriteLine($"{"database",-10} {"candidate",-44} {"median s",10} {"MiB/s",8}");

foreach (var size in sections.Contains("backup") ? sizes : [])
{
    var database = Generate(folder, size);
    var walBytes = new FileInfo(database + "-wal").Length;
    var mib = (new FileInfo(database).Length + walBytes) / 1048576.0;
    var label = $"{size} MiB";
    var output = Path.Combine(folder, "out");

    var cp = Measure(label, "cp (copy_file_range: the physical limit)", mib, () => Shell("cp", database, Target("cp.db")));
    var backup = Measure(label, "sqlite3 .backup", mib, () => Shell("sqlite3", database, $".backup '{Target("shell.db")}'"));
    var threeStep = Measure(label, "sqlite3 .backup + integrity_check + sha256sum", mib, () =>
    {
        var target = Target("three.db");
        Shell("sqlite3", database, $".backup '{target}'");
        Expect("ok", Shell("sqlite3", target, "PRAGMA integrity_check"));
        Shell("sha256sum", target);
    });
    var snapshot = Measure(label, "MimoBackup snapshot (flushed while verifying)", mib, () => SqliteSnapshot.Copy(database, Target("snapshot.db"), TimeSpan.FromSeconds(30), CancellationToken.None));
    var verified = Measure(label, "MimoBackup verified backup (full)", mib, () =>
    {
        Clear(output);
        BackupWriter.Take(Request(database, output, MimoVerification.Full), CancellationToken.None);
    });
    var quick = Measure(label, "MimoBackup verified backup (quick)", mib, () =>
    {
        Clear(output);
        BackupWriter.Take(Request(database, output, MimoVerification.Quick), CancellationToken.None);
    });
    var json = Measure(label, "sqlite3 -json select * (reference for export)", mib, () => Shell("sqlite3", "-json", database, "SELECT * FROM Memories"));

    Console.WriteLine($"{label,-10} WAL holds {walBytes / 1048576.0:0.0} MiB; ratios: snapshot / sqlite3 .backup = {snapshot / backup:0.00} (target <= 0.70), "
        + $"verified / three-step = {verified / threeStep:0.00} (target <= 0.75), snapshot / cp = {snapshot / cp:0.00}, "
        + $"quick / three-step = {quick / threeStep:0.00}, sqlite3 -json / verified = {json / verified:0.00}");
    Console.WriteLine();
}

if (sections.Contains("export"))
{
    ExportSection(exportSize);
}

foreach (var size in sections.Contains("compare") ? sizes : [])
{
    CompareSection(size);
}

Clear(Path.Combine(folder, "out"));
foreach (var file in Directory.GetFiles(folder, "t-*"))
{
    File.Delete(file);
}

return 0;

// Export vs `sqlite3 -json` (both write a file; ours also flushes it to disk), then export and import each
// once more in a child process whose peak resident memory (VmHWM) is the proof that memory stays flat.
void ExportSection(int size)
{
    var database = Generate(folder, size);
    var mib = (new FileInfo(database).Length + new FileInfo(database + "-wal").Length) / 1048576.0;
    var label = $"{size} MiB";
    var rows = Count(database, "SELECT count(*) FROM Memories");
    Console.WriteLine($"{label,-10} JSON export: Memories holds {rows:N0} rows");
    var shellJson = Target("shell.json");
    var json = Measure(label, "sqlite3 -json select * > file", mib, () => Shell("sh", "-c", "sqlite3 -json \"$0\" 'SELECT * FROM Memories' > \"$1\"", database, shellJson));
    var exportFile = Target("export.json");
    var export = Measure(label, "MimoBackup JSON export (every table, flushed)", mib,
        () => JsonExport.Write(new ExportRequest { DatabasePath = database, ExportPath = exportFile }, CancellationToken.None));
    Console.WriteLine($"{label,-10} export file {new FileInfo(exportFile).Length / 1048576.0:0} MiB, sqlite3 -json file {new FileInfo(shellJson).Length / 1048576.0:0} MiB; "
        + $"export rows/s {rows / export:N0}; throughput export / sqlite3 -json = {json / export:0.00} (target >= 1.00)");

    var (exportPeak, exportSeconds) = RunChild("export-child", database, Target("child.json"));
    Console.WriteLine($"{label,-10} export in a child process: {exportSeconds:0.000} s, peak RSS {exportPeak / 1024.0:0} MiB (target < 150 MiB)");

    var copy = Target("import.db");
    CreateSchemaLike(database, copy);
    var (importPeak, importSeconds) = RunChild("import-child", copy, exportFile);
    Console.WriteLine($"{label,-10} import in a child process: {importSeconds:0.000} s, {rows / importSeconds:N0} rows/s, "
        + $"{new FileInfo(exportFile).Length / 1048576.0 / importSeconds:0} MiB/s of JSON, peak RSS {importPeak / 1024.0:0} MiB");
    if (Count(copy, "SELECT count(*) FROM Memories") != rows)
    {
        throw new InvalidOperationException("the import lost rows");
    }

    File.Delete(shellJson);
    File.Delete(exportFile);
    File.Delete(copy);
}

// What a rehearsal costs: one cp of the snapshot plus the migration on it, then the comparison of the backup with
// the result; each beside the verified backup of the same database.
void CompareSection(int size)
{
    var database = Generate(folder, size);
    var label = $"{size} MiB";
    var output = Path.Combine(folder, "out");
    Clear(output);
    var backup = BackupWriter.Take(Request(database, output, MimoVerification.Full), CancellationToken.None).Path;
    var mib = new FileInfo(backup).Length / 1048576.0;
    var verified = Measure(label, "MimoBackup verified backup (full)", mib, () =>
    {
        Clear(Path.Combine(folder, "out2"));
        BackupWriter.Take(Request(database, Path.Combine(folder, "out2"), MimoVerification.Full), CancellationToken.None);
    });
    var copyTime = Measure(label, "cp of the snapshot (the rehearsal's copy)", mib, () => Shell("cp", backup, Target("rehearsal.db")));
    var migrations = new (string Name, string Sql)[]
    {
        ("rebuild Memories (EF's SQLite table rebuild)", """
            PRAGMA foreign_keys = 0;
            BEGIN;
            CREATE TABLE ef_temp_Memories (Id INTEGER PRIMARY KEY, ChainId INTEGER NOT NULL REFERENCES Chains(Id), Content TEXT NOT NULL,
                Summary TEXT, Importance REAL NOT NULL DEFAULT 0.5, Embedding BLOB, CreatedAt INTEGER NOT NULL);
            INSERT INTO ef_temp_Memories SELECT Id, ChainId, Content, Summary, Importance, Embedding, CreatedAt FROM Memories;
            DROP TABLE Memories;
            ALTER TABLE ef_temp_Memories RENAME TO Memories;
            CREATE INDEX IX_Memories_ChainId ON Memories(ChainId);
            CREATE INDEX IX_Memories_CreatedAt ON Memories(CreatedAt);
            COMMIT;
            PRAGMA foreign_keys = 1;
            """),
        ("drop column Memories.Summary", "ALTER TABLE Memories DROP COLUMN Summary;"),
    };
    foreach (var (name, sql) in migrations)
    {
        var after = Target("after.db");
        var migrate = Measure(label, name + " on a copy", mib, () =>
        {
            File.Copy(backup, after, overwrite: true);
            using var connection = new SqliteConnection($"Data Source={after};Pooling=False");
            connection.Open();
            Run(connection, sql);
        });
        var compare = Measure(label, "  row-level comparison with the backup", mib, () => DataChanges.Compare(backup, after, [], TimeSpan.FromSeconds(30), CancellationToken.None));
        var (peak, _) = RunChild("compare-child", backup, after);
        var report = DataChanges.Compare(backup, after, [], TimeSpan.FromSeconds(30), CancellationToken.None);
        Console.WriteLine($"{label,-10} {name}: \"{report.Summary()}\"; comparison / verified backup = {compare / verified:0.00} (target <= 1.00), "
            + $"of the rehearsal's {migrate:0.000} s the copy is {copyTime:0.000} s, "
            + $"rehearsal + comparison / verified backup = {(migrate + compare) / verified:0.00}, comparison peak RSS {peak / 1024.0:0} MiB (target < 200 MiB)");
        File.Delete(after);
    }

    Console.WriteLine();
}

(long PeakKib, double Seconds) RunChild(string mode, string first, string second)
{
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(typeof(ExportRequest).Assembly.Location.Replace("MimoBackup.EfCore.dll", "MimoBackup.EfCore.Benchmarks.dll", StringComparison.Ordinal));
    }

    foreach (var argument in new[] { mode, first, second })
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd().Split(' ');
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{mode} failed: {string.Join(' ', output)}");
    }

    return (long.Parse(output[0], CultureInfo.InvariantCulture), double.Parse(output[1], CultureInfo.InvariantCulture));
}

string Option(string name, string fallback)
    => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;

string Target(string name)
{
    var path = Path.Combine(folder, "t-" + name);
    File.Delete(path);
    return path;
}

double Measure(string label, string candidate, double mib, Action action)
{
    action(); // Warm-up: the page cache holds the source for every candidate alike.
    var times = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var clock = Stopwatch.StartNew();
        action();
        times.Add(clock.Elapsed.TotalSeconds);
    }

    var median = times.Order().ElementAt(times.Count / 2);
    Console.WriteLine($"{label,-10} {candidate,-44} {median,10:0.000} {mib / median,8:0}");
    return median;
}

// N backups every 105 minutes back from now (about two years for 10000), app 1.x, 2.x then 3.x, every 500th
// pinned: real sidecars cloned from one real backup of a five-table database, each beside a tiny .db.
static int Retention(int count, int runs, string root)
{
    var folder = Path.Combine(root, "retention");
    if (Directory.Exists(folder))
    {
        Directory.Delete(folder, recursive: true);
    }

    Directory.CreateDirectory(folder);
    SQLitePCL.Batteries_V2.Init();
    var database = Path.Combine(folder, "source.db");
    using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
    {
        connection.Open();
        Run(connection, string.Concat(Enumerable.Range(1, 5).Select(i => $"CREATE TABLE T{i} (Id INTEGER PRIMARY KEY, A TEXT, B REAL, C BLOB); INSERT INTO T{i} (A) VALUES ('x');")));
    }

    var template = BackupWriter.Take(Request(database, Path.Combine(folder, "template"), MimoVerification.Quick), CancellationToken.None).Sidecar;
    var backups = Path.Combine(folder, "backups");
    Directory.CreateDirectory(backups);
    var now = DateTimeOffset.UtcNow;
    var generate = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var created = now.AddMinutes(-105.0 * i);
        var name = "pre-migration_" + created.UtcDateTime.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture) + ".db";
        var version = i > count * 2 / 3 ? "1.4.0" : i > count / 3 ? "2.2.0" : "3.0.1";
        var sidecar = template with
        {
            File = name,
            CreatedUtc = created,
            SizeBytes = 1,
            Pinned = i % 500 == 499,
            Origin = template.Origin with { AppVersion = version },
        };
        File.WriteAllBytes(Path.Combine(backups, name), [0]);
        File.WriteAllBytes(Path.Combine(backups, name + BackupSidecar.Suffix), sidecar.ToUtf8());
    }

    var policy = RetentionPolicy.Default;
    Console.WriteLine($"Retention over {count} backups ({template.ToUtf8().Length} bytes per sidecar), generated in {generate.Elapsed.TotalSeconds:0.0} s; "
        + $"median of {runs} runs after one warm-up; {Environment.ProcessorCount} cores");
    var decided = BackupPrune.Preview(backups, policy, now);
    Console.WriteLine($"{"scan + decide (BackupPrune.Preview)",-52} {Median(runs, () => BackupPrune.Preview(backups, policy, now)),8:0.000} s");
    Console.WriteLine($"{"dry-run prune (BackupPrune.Run, dryRun: true)",-52} {Median(runs, () => BackupPrune.Run(backups, policy, now, dryRun: true)),8:0.000} s");
    Console.WriteLine($"{"catalog of the folder (BackupCatalog.Read)",-52} {Median(runs, () => BackupCatalog.Read(backups)),8:0.000} s");
    var listTarget = MimoBackup.EfCore.Commands.CommandTarget.ForFile(database, new MimoSettings { BackupDir = backups });
    foreach (var format in new[] { "table", "json" })
    {
        var options = new MimoBackup.EfCore.Commands.CommandOptions(new Dictionary<string, string> { ["Output"] = format });
        var lines = new CountingOutput();
        Console.WriteLine($"{"MimoBackupList (-p:MimoOutput=" + format + ")",-52} {Median(runs, () => MimoBackup.EfCore.Commands.ListCommand.Run(listTarget, options, lines, TimeProvider.System)),8:0.000} s");
    }

    Console.WriteLine($"{"MimoBackupPrune -p:MimoDryRun=true (command)",-52} {Median(runs, () => MimoBackup.EfCore.Commands.ManualCommands.Run("prune", listTarget, new MimoBackup.EfCore.Commands.CommandOptions(new Dictionary<string, string> { ["DryRun"] = "true" }), new CountingOutput(), TimeProvider.System, CancellationToken.None)),8:0.000} s");
    Console.WriteLine($"{"decide only (RetentionPolicy.Decide)",-52} {Median(runs, () => policy.Decide([.. decided.Select(d => d.Candidate)], now)),8:0.000} s");
    Console.WriteLine($"{"for comparison: BackupSidecar.Load of every sidecar",-52} {Median(runs, () => Directory.GetFiles(backups, "*" + BackupSidecar.Suffix).Select(BackupSidecar.Load).Count()),8:0.000} s");
    var prune = Stopwatch.StartNew();
    var result = BackupPrune.Run(backups, policy, now, dryRun: false);
    Console.WriteLine($"{"real prune (once)",-52} {prune.Elapsed.TotalSeconds,8:0.000} s: deleted {result.Deleted.Count()}, kept {result.Kept.Count()}");
    foreach (var reason in result.Kept.GroupBy(d => d.Reason.StartsWith("kept: monthly", StringComparison.Ordinal) ? "kept: monthly" : d.Reason).OrderBy(g => g.Key, StringComparer.Ordinal))
    {
        Console.WriteLine($"  {reason.Key}: {reason.Count()}");
    }

    Directory.Delete(folder, recursive: true);
    return 0;

    static double Median(int runs, Action action)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        return times.Order().ElementAt(times.Count / 2);
    }
}

// The child's answer: its peak resident memory (VmHWM, KiB) and the seconds the work took.
static int Child(Func<long> work)
{
    SQLitePCL.Batteries_V2.Init();
    var clock = Stopwatch.StartNew();
    work();
    var seconds = clock.Elapsed.TotalSeconds;
    var peak = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
    Console.Write(FormattableString.Invariant($"{peak} {seconds}"));
    return 0;
}

static long Count(string database, string sql)
{
    using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    return (long)command.ExecuteScalar()!;
}

// A database at the same (no) migration with the same tables and indexes and no rows: what import expects.
static void CreateSchemaLike(string source, string target)
{
    var statements = new List<string>();
    using (var connection = new SqliteConnection($"Data Source={source};Pooling=False"))
    {
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            statements.Add(reader.GetString(0));
        }
    }

    using var copy = new SqliteConnection($"Data Source={target};Pooling=False");
    copy.Open();
    Run(copy, string.Join(";\n", statements));
}

static BackupRequest Request(string database, string output, MimoVerification verification) => new()
{
    DatabasePath = database,
    BackupFolder = output,
    Kind = BackupKind.Manual,
    Verify = verification,
    Origin = new OriginFacts(null, "Benchmark", null, null, "benchmark", Environment.MachineName, Environment.UserName),
};

static void Clear(string path)
{
    if (Directory.Exists(path))
    {
        Directory.Delete(path, recursive: true);
    }
}

static void Expect(string expected, string actual)
{
    if (actual.Trim() != expected)
    {
        throw new InvalidOperationException($"expected '{expected}', got '{actual.Trim()}'");
    }
}

static string Shell(string file, params string[] arguments)
{
    var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    var output = new StringWriter();
    process.OutputDataReceived += (_, e) => { if (e.Data is not null && output.GetStringBuilder().Length < 4096) { output.WriteLine(e.Data); } };
    process.BeginOutputReadLine();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} failed: {error}");
    }

    return output.ToString();
}

static string SqliteVersion()
{
    using var connection = new SqliteConnection("Data Source=:memory:");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = "SELECT sqlite_version()";
    return (string)command.ExecuteScalar()!;
}

// A realistic WAL database of about `mib` MiB, cached between runs; its newest rows (a few MiB) are
// left in the -wal file, as in a live app whose last checkpoint was a while ago.
static string Generate(string folder, int mib)
{
    var path = Path.Combine(folder, $"memories-{mib}.db");
    if (File.Exists(path) && File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0)
    {
        return path;
    }

    foreach (var stale in Directory.GetFiles(folder, $"memories-{mib}.db*"))
    {
        File.Delete(stale);
    }

    var clock = Stopwatch.StartNew();
    var walTail = Math.Max(1, Math.Min(8, mib / 10)) * 1048576L;
    using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
    connection.Open();
    Run(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA wal_autocheckpoint = 0;");
    Run(connection, """
        CREATE TABLE Chains (Id INTEGER PRIMARY KEY, Name TEXT NOT NULL);
        CREATE TABLE Memories (Id INTEGER PRIMARY KEY, ChainId INTEGER NOT NULL REFERENCES Chains(Id), Content TEXT NOT NULL,
            Summary TEXT, Importance REAL NOT NULL, Embedding BLOB, CreatedAt INTEGER NOT NULL);
        CREATE INDEX IX_Memories_ChainId ON Memories(ChainId);
        CREATE INDEX IX_Memories_CreatedAt ON Memories(CreatedAt);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO Chains (Name) SELECT 'chain ' || i FROM n;
        """);

    // Batches of rows: first into the main file (checkpointed as the WAL grows), then a tail left in the WAL.
    var target = mib * 1048576L;
    var batch = 0;
    long Total() => new FileInfo(path).Length + new FileInfo(path + "-wal").Length;
    while (Total() < target - walTail)
    {
        Insert(connection, batch++);
        if (new FileInfo(path + "-wal").Length > 32 * 1048576L)
        {
            Run(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        }
    }

    Run(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    while (Total() < target)
    {
        Insert(connection, batch++);
    }

    // Closing would checkpoint the WAL into the main file: tell SQLite not to, so the tail stays in -wal.
    const int noCheckpointOnClose = 1006; // SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE
    SQLitePCL.raw.sqlite3_db_config(connection.Handle, noCheckpointOnClose, 1, out _);
    connection.Close();
    Console.WriteLine($"(generated {path} in {clock.Elapsed.TotalSeconds:0.0} s: {new FileInfo(path).Length / 1048576.0:0} MiB + {new FileInfo(path + "-wal").Length / 1048576.0:0.0} MiB WAL)");
    return path;
}

static void Insert(SqliteConnection connection, int batch)
    => Run(connection, $"""
        BEGIN;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
        INSERT INTO Memories (ChainId, Content, Summary, Importance, Embedding, CreatedAt)
        SELECT 1 + abs(random()) % 200, printf('memory %d: %s', i, hex(randomblob(150 + abs(random()) % 150))),
               CASE WHEN i % 3 = 0 THEN NULL ELSE 'summary ' || i END, abs(random()) % 1000 / 1000.0,
               randomblob(96), 1700000000 + {batch} * 2000 + i FROM n;
        COMMIT;
        """);

static void Run(SqliteConnection connection, string sql)
{
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    command.ExecuteNonQuery();
}

/// <summary>Swallows a command's lines, as a terminal would print them, counting them.</summary>
internal sealed class CountingOutput : MimoBackup.EfCore.Commands.ICommandOutput
{
    public int Lines { get; private set; }

    public void Information(Microsoft.Extensions.Logging.EventId id, string line) => Lines++;

    public void Warning(Microsoft.Extensions.Logging.EventId id, string line) => Lines++;

    public void Error(MimoBackup.EfCore.MimoBackupException error) => Lines++;
}
