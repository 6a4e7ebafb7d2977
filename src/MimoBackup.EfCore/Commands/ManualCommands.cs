using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Migrations.BackupMigrator;

namespace MimoBackup.EfCore.Commands;

/// <summary>
/// The manual operations of SPEC §5 behind the MSBuild targets (and later <c>dotnet mimo</c>): each reads its
/// options, calls the engine and says what it did. Failures are <see cref="MimoBackupException"/>s.
/// </summary>
internal static class ManualCommands
{
    /// <summary>JSON as a reader expects it: '+' and non-ASCII names stay as they are.</summary>
    private static readonly JsonSerializerOptions PlainJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The verbs, as the runner and the targets name them.</summary>
    public static readonly IReadOnlyList<string> Verbs = ["backup", "list", "restore", "verify", "status", "prune", "export", "import", "plan"];

    public static MimoExitCode Run(string verb, CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
        => verb switch
        {
            "backup" => Backup(target, options, output, clock, cancellationToken),
            "list" => List(target, options, output, clock),
            "restore" => Restore(target, options, output, clock, cancellationToken),
            "verify" => Verify(target, options, output, clock, cancellationToken),
            "status" => Status(target, options, output, clock),
            "export" => Export(target, options, output, clock, cancellationToken),
            "import" => Import(target, options, output, clock, cancellationToken),
            "prune" => Prune(target, options, output, clock, cancellationToken),
            "plan" => PlanCommand.Run(target, options, output, clock, cancellationToken),
            _ => throw new MimoBackupException(MimoError.BadCommandUsage, $"'{verb}' is not one of {string.Join(", ", Verbs)}"),
        };

    public static MimoExitCode Backup(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var name = options["BackupName"];
        if (name is not null)
        {
            BackupNames.Validate(name);
        }

        RequireDatabase(target);
        var backup = BackupWriter.Take(target.BackupRequest(BackupKind.Manual, clock, name, options.Flag("Pin")), cancellationToken);

        new AuditLog(target.BackupFolder).Append(
            "backup", AddFacts(new JsonObject { ["kind"] = BackupKind.Manual, ["database"] = target.DatabasePath }, backup), clock.GetUtcNow());
        output.Information($"{Prefix}{Describe(backup)}. To restore it: {RestoreCommand(backup.Path)}");
        Aftercare(target, output).AfterBackup(backup, clock.GetUtcNow(), cancellationToken);
        return MimoExitCode.Done;
    }

    public static MimoExitCode List(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock)
    {
        var folder = SourceFolder(target, options);
        var format = options["Output"] ?? "table";
        if (format is not ("json" or "table"))
        {
            throw new MimoBackupException(MimoError.InvalidSetting, "MimoOutput", format, "'table' or 'json'");
        }

        // The catalog and the retention decisions each read every sidecar: read them side by side.
        var reading = Task.Run(() => BackupCatalog.Read(folder));
        var retention = RetentionOf(folder, target.Settings.Retention, clock.GetUtcNow());
        var catalog = reading.GetAwaiter().GetResult();
        if (format == "json")
        {
            output.Information(ToJson(target, folder, catalog, retention).ToJsonString(PlainJson));
            return MimoExitCode.Done;
        }

        output.Information($"{Prefix}backups of {Display(target.DatabasePath)} in {Display(folder)}: "
            + $"{catalog.Count(e => e.State == CatalogState.Complete)} complete"
            + (catalog.Any(e => e.State != CatalogState.Complete) ? $", {catalog.Count(e => e.State != CatalogState.Complete)} incomplete or leftover" : "")
            + ".");
        if (catalog.Count == 0)
        {
            output.Information($"{Prefix}no backups yet; take one with dotnet msbuild -t:MimoBackup");
            return MimoExitCode.Done;
        }

        string[] header = ["NAME", "CREATED (local)", "KIND", "SIZE", "LAST MIGRATION", "VERIFIED", "PINNED", "RETENTION"];
        var rows = catalog.Select(e => new[]
        {
            e.FileName,
            e.CreatedUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            e.Kind,
            Size(e.SizeBytes),
            e.LastMigration ?? "-",
            e.State switch
            {
                CatalogState.Complete => e.Verified ? "yes" : e.FailedCheck is { } failed ? "FAILED MimoBackupVerify: " + failed : "NO: " + e.Sidecar!.Verification.Result,
                _ => "INCOMPLETE: " + e.Problem,
            },
            e.Pinned ? "yes" : "",
            retention(e) is { } decision ? (decision.Keep ? BackupAftercare.Bare(decision.Reason) : "prune deletes: " + BackupAftercare.Bare(decision.Reason)) : "-",
        }).ToList();
        foreach (var line in Table(header, rows))
        {
            output.Information(line);
        }

        foreach (var leftover in catalog.Where(e => e.State != CatalogState.Complete))
        {
            output.Warning($"{Prefix}{leftover.FileName} is not a restore point: {leftover.Problem}.");
        }

        return MimoExitCode.Done;
    }

    public static MimoExitCode Restore(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var from = options["RestoreFrom"]
            ?? throw new MimoBackupException(MimoError.BadCommandUsage, "MimoRestore needs -p:MimoRestoreFrom=<backup name or path of a SQLite file>");
        RestoreResult result;
        BackupSidecar? sidecar;
        try
        {
            (var source, sidecar) = ResolveRestoreSource(target, from, SourceFolder(target, options));
            result = DatabaseRestore.Run(
                new RestoreRequest
                {
                    Source = source,
                    SourceSidecar = sidecar,
                    DatabasePath = target.DatabasePath,
                    BackupFolder = target.BackupFolder,
                    Origin = target.Origin,
                    Migrations = target.MigrationFacts,
                    Verify = target.Settings.Verify,
                    BusyTimeout = target.BusyTimeout,
                    Clock = clock,
                    BeforeCopy = () => output.Information($"{Prefix}{Display(source)} is sound{(HoldsContent(target.DatabasePath) ? " and the current content is kept" : "")}; copying it into {Display(target.DatabasePath)}…"),
                },
                cancellationToken);
        }
        catch (MimoBackupException e) when (e.Error == MimoError.RestoreSourceRejected)
        {
            RecordRefusal(target, output, "restore", from, e, clock.GetUtcNow());
            throw;
        }

        new AuditLog(target.BackupFolder).Append("restore", new JsonObject
        {
            ["database"] = target.DatabasePath,
            ["from"] = result.Source,
            ["fromSha256"] = sidecar?.Sha256,
            ["preRestore"] = result.PreRestore?.Path,
            ["preRestoreVerified"] = result.PreRestore?.Sidecar.Verification.Passed ?? false,
            ["method"] = result.Method,
            ["rows"] = result.Census.TotalRows,
            ["durationMs"] = (long)result.Duration.TotalMilliseconds,
        }, clock.GetUtcNow());

        var now = clock.GetUtcNow();
        var aftercare = Aftercare(target, output);
        output.Information(
            $"{Prefix}restored {Display(target.DatabasePath)} from {Display(result.Source)} ({result.Method}; {DataChangeReport.Plural(result.Census.Tables.Count, "table")}, "
            + $"{DataChangeReport.Plural(result.Census.TotalRows, "row")}, matching the {(sidecar is null ? "source" : "backup")}) in {Seconds(result.Duration)}.");
        if (result.PreRestore is { } preRestore)
        {
            if (preRestore.Sidecar.Verification.Passed)
            {
                output.Information($"{Prefix}the previous content is in {Display(preRestore.Path)}. To undo: {RestoreCommand(preRestore.Path)}");

                // The pre-restore backup is a verified backup like any other: it goes to the mirror too.
                aftercare.Mirror(preRestore, now, cancellationToken);
            }
            else
            {
                output.Warning($"{Prefix}the database was damaged: its previous bytes are kept, unverified, in {Display(preRestore.Path)} (not a restore point; open it with sqlite3 to salvage rows).");
            }
        }
        else
        {
            output.Information($"{Prefix}there was no previous content to keep ({Display(target.DatabasePath)} did not exist or was empty).");
        }

        WarnIfBehindTheApp(target, output);
        aftercare.Publish(Notifier.Restore(target.DatabasePath, result.Source, result.PreRestore?.Path, now), now);
        return MimoExitCode.Done;
    }

    private static bool HoldsContent(string database) => File.Exists(database) && new FileInfo(database).Length > 0;

    /// <summary>A restore may go back past migrations the app has: say so, and how to bring the database forward.</summary>
    private static void WarnIfBehindTheApp(CommandTarget target, ICommandOutput output)
    {
        if (target.AppMigrations is not { Count: > 0 } all)
        {
            return;
        }

        var applied = DatabaseContent.AppliedMigrations(target.DatabasePath, target.BusyTimeout, target.HistoryTable);
        var missing = all.Where(m => !applied.Contains(m)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        output.Warning($"{Prefix}{Display(target.DatabasePath)} is now {DataChangeReport.Plural(missing.Count, "migration")} behind the app "
            + $"({string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", …" : "")}): bring it forward with {CommandHints.DatabaseUpdate()}, "
            + "once what made you restore is fixed.");
    }

    /// <summary>
    /// Applies the retention policy (SPEC §6) to the backup folder and, when <c>MimoMirrorDir</c> is set, the mirror
    /// (<c>-p:MimoSource=backup|mirror</c> picks one); <c>-p:MimoDryRun=true</c> decides without deleting. Every
    /// decision is printed with its reason. A file that cannot be deleted is a MIMO403 warning, never a failure.
    /// </summary>
    public static MimoExitCode Prune(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var dryRun = options.Flag("DryRun");
        var aftercare = Aftercare(target, output);
        IReadOnlyList<string> folders = Source(options) switch
        {
            BackupSource => [target.BackupFolder],
            MirrorSource => [MirrorFolder(target)],
            _ => aftercare.Folders,
        };

        var policy = target.Settings.Retention;
        var now = clock.GetUtcNow();
        foreach (var folder in folders)
        {
            output.Information($"{Prefix}{(dryRun ? "dry run, nothing is deleted: " : "")}retention in {Display(folder)}: every backup for {DataChangeReport.Plural(policy.Days, "day")} "
                + $"(MimoRetentionDays), then the newest of each month for {DataChangeReport.Plural(policy.Months, "month")} (MimoRetentionMonths); pinned backups, "
                + "the last before each major version change and the newest verified backup always stay.");
            if (aftercare.Prune(folder, dryRun, now, cancellationToken) is not { } result)
            {
                continue;
            }

            if (result.Decisions.Count == 0)
            {
                output.Information($"{Prefix}no backups in {Display(folder)}.");
                continue;
            }

            var width = result.Decisions.Max(d => d.Name.Length);
            foreach (var decision in result.Decisions)
            {
                var verb = decision.Keep ? "keep" : result.Failed.Contains(decision.Name) ? "NOT DELETED" : dryRun ? "would delete" : "deleted";
                output.Information($"{Prefix}  {verb,-12} {decision.Name.PadRight(width)}  {BackupAftercare.Bare(decision.Reason)}");
            }

            output.Information(BackupAftercare.Summary(result));
            aftercare.Publish(Notifier.Prune(result, now), now);
        }

        return MimoExitCode.Done;
    }

    public static MimoExitCode Verify(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var catalog = BackupCatalog.Read(target.BackupFolder);
        IReadOnlyList<CatalogEntry> chosen;
        if (options["BackupName"] is { } name)
        {
            var file = name.EndsWith(".db", StringComparison.Ordinal) ? name : name + ".db";
            var entry = catalog.FirstOrDefault(e => e.FileName == file && e.State != CatalogState.Leftover)
                ?? BackupCatalog.Find(catalog, name)
                ?? throw new MimoBackupException(MimoError.BackupNotFound, name, target.BackupFolder);
            chosen = [entry];
        }
        else
        {
            chosen = [.. catalog.Where(e => e.State != CatalogState.Leftover)];
        }

        if (chosen.Count == 0)
        {
            output.Information($"{Prefix}no backups in {Display(target.BackupFolder)} to verify.");
            return MimoExitCode.Done;
        }

        var failed = 0;
        var results = new JsonArray();
        foreach (var entry in chosen)
        {
            var detail = entry.State == CatalogState.Incomplete
                ? new BackupCheckResult(false, "it is incomplete: " + entry.Problem, null)
                : BackupCheck.Run(entry.Path, entry.Sidecar, target.Settings.Verify, cancellationToken);
            results.Add(new JsonObject { ["backup"] = entry.Path, ["passed"] = detail.Passed, ["detail"] = detail.Detail });
            if (detail.Passed)
            {
                output.Information($"{Prefix}ok      {entry.FileName}: {detail.Detail}.");
            }
            else
            {
                failed++;
                output.Error(new MimoBackupException(MimoError.BackupCheckFailed, entry.FileName, detail.Detail));
            }
        }

        new AuditLog(target.BackupFolder).Append("verify", new JsonObject { ["database"] = target.DatabasePath, ["failed"] = failed, ["results"] = results }, clock.GetUtcNow());
        output.Information($"{Prefix}{chosen.Count - failed} of {chosen.Count} backup{(chosen.Count == 1 ? "" : "s")} passed.");
        return failed == 0 ? MimoExitCode.Done : MimoExitCode.VerificationFailed;
    }

    public static MimoExitCode Status(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock)
    {
        var maxAgeDays = options.Number("MaxBackupAgeDays", 7, 1);
        var database = target.DatabasePath;
        var status = DatabaseStatus.Read(database, target.BusyTimeout);
        output.Information($"{Prefix}database {Display(database)}");
        if (!status.Exists)
        {
            output.Information($"{Prefix}  the file does not exist yet (dotnet ef database update creates it).");
        }
        else if (status.Problem is null)
        {
            output.Information($"{Prefix}  size {Size(status.SizeBytes)}, WAL {Size(status.WalBytes)}, journal mode {status.JournalMode}, "
                + $"{DataChangeReport.Plural(status.Tables, "table")}, {DataChangeReport.Plural(status.Rows, "row")}");
        }
        else
        {
            output.Information($"{Prefix}  size {Size(status.SizeBytes)}, WAL {Size(status.WalBytes)}");
        }

        if (target.Applied is { } applied)
        {
            var pending = target.Pending ?? [];
            output.Information($"{Prefix}  migrations: {applied.Count} applied{(applied.Count > 0 ? $" (last {applied[^1]})" : "")}, "
                + (pending.Count == 0 ? "none pending" : $"{pending.Count} pending: {string.Join(", ", pending)}"));
        }

        var catalog = BackupCatalog.Read(target.BackupFolder);
        var newest = BackupCatalog.NewestVerified(catalog);
        var now = clock.GetUtcNow();
        output.Information($"{Prefix}  backups in {Display(target.BackupFolder)}: {catalog.Count(e => e.State == CatalogState.Complete)}"
            + (newest is null ? ", none verified" : $", newest verified {newest.FileName} ({Age(now - newest.CreatedUtc)} old)"));

        var warnings = new List<string>();
        if (status.Problem is { } problem)
        {
            warnings.Add($"the database cannot be read ({problem}): restore a backup with dotnet msbuild -t:MimoRestore -p:MimoRestoreFrom=<name>");
        }

        if (status.Exists && newest is null)
        {
            warnings.Add("no verified backup of this database yet: take one with dotnet msbuild -t:MimoBackup");
        }
        else if (newest is not null && now - newest.CreatedUtc > TimeSpan.FromDays(maxAgeDays))
        {
            warnings.Add($"the newest verified backup is {Age(now - newest.CreatedUtc)} old, older than MimoMaxBackupAgeDays={maxAgeDays}: take one with dotnet msbuild -t:MimoBackup");
        }

        var failedChecks = catalog.Where(e => e.FailedCheck is not null).ToList();
        if (failedChecks.Count > 0)
        {
            warnings.Add($"{failedChecks.Count} backup{(failedChecks.Count == 1 ? "" : "s")} failed {(failedChecks.Count == 1 ? "its" : "their")} last verification and {(failedChecks.Count == 1 ? "is" : "are")} not counted as verified "
                + $"({string.Join(", ", failedChecks.Take(3).Select(e => e.FileName))}{(failedChecks.Count > 3 ? ", …" : "")}): dotnet msbuild -t:MimoBackupVerify says why");
        }

        var leftovers = catalog.Where(e => e.State != CatalogState.Complete).ToList();
        if (leftovers.Count > 0)
        {
            warnings.Add($"{leftovers.Count} leftover or incomplete file{(leftovers.Count == 1 ? "" : "s")} in the backup folder ({string.Join(", ", leftovers.Take(3).Select(e => e.FileName))}{(leftovers.Count > 3 ? ", …" : "")})");
        }

        var checkpoint = options.Flag("Checkpoint");
        if (status.WalBytes >= DatabaseStatus.LargeWalBytes && !checkpoint)
        {
            warnings.Add($"the WAL holds {Size(status.WalBytes)}: readers pay for it; dotnet msbuild -t:MimoStatus -p:MimoCheckpoint=true runs PRAGMA wal_checkpoint(TRUNCATE)");
        }

        foreach (var warning in warnings)
        {
            output.Warning(Prefix + warning);
        }

        if (checkpoint && status.Exists && status.Problem is null)
        {
            var result = DatabaseStatus.Checkpoint(database, target.BusyTimeout);
            output.Information($"{Prefix}checkpoint: {result}; WAL now {Size(DatabaseStatus.WalSize(database))}.");
        }

        if (warnings.Count == 0)
        {
            output.Information($"{Prefix}no warnings.");
        }

        return MimoExitCode.Done;
    }

    public static MimoExitCode Export(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var file = options["ExportFile"]
            ?? throw new MimoBackupException(MimoError.BadCommandUsage, "MimoExport needs -p:MimoExportFile=<file to write, e.g. memories.json>");
        RequireDatabase(target);

        // An export replaces its file: never the database itself, its journal files, or any other SQLite file.
        var path = Path.GetFullPath(file);
        var database = Path.GetFullPath(target.DatabasePath);
        if (new[] { database, database + "-wal", database + "-shm", database + "-journal" }.Contains(path, StringComparer.Ordinal)
            || (File.Exists(path) && BackupCheck.HasSqliteHeader(path)))
        {
            throw new MimoBackupException(MimoError.BadCommandUsage, $"MimoExportFile '{file}' is a SQLite database or one of its files, which an export would overwrite; name a .json file");
        }

        var result = JsonExport.Write(
            new ExportRequest { DatabasePath = target.DatabasePath, ExportPath = file, BusyTimeout = target.BusyTimeout, Clock = clock },
            cancellationToken);

        new AuditLog(target.BackupFolder).Append("export", new JsonObject
        {
            ["database"] = target.DatabasePath,
            ["file"] = result.Path,
            ["lastMigration"] = result.LastMigration,
            ["tables"] = result.Tables.Count,
            ["rows"] = result.Rows,
            ["bytes"] = result.Bytes,
            ["durationMs"] = (long)result.Duration.TotalMilliseconds,
        }, clock.GetUtcNow());

        output.Information(
            $"{Prefix}exported {Display(target.DatabasePath)} to {Display(result.Path)} ({DataChangeReport.Plural(result.Tables.Count, "table")}, {DataChangeReport.Plural(result.Rows, "row")}, "
            + $"{Size(result.Bytes)}, last migration {result.LastMigration ?? "(none)"}) in {Seconds(result.Duration)}. "
            + $"To load it into a database at the same migration: dotnet msbuild -t:MimoImport -p:MimoImportFile={Display(result.Path)}");
        WarnAboutVirtualTables(target, output, "exported");
        return MimoExitCode.Done;
    }

    public static MimoExitCode Import(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var file = options["ImportFile"]
            ?? throw new MimoBackupException(MimoError.BadCommandUsage, "MimoImport needs -p:MimoImportFile=<file written by MimoExport, e.g. memories.json>");
        if (!File.Exists(target.DatabasePath))
        {
            // Import replaces rows, never the schema: the database must exist at the file's migration already.
            throw new MimoBackupException(MimoError.NoDatabase,
                $"'{target.DatabasePath}' does not exist, and an import needs the database at the export file's migration: create it with dotnet ef database update first");
        }

        // An empty database has nothing to lose (and no schema: the migration check refuses it with MIMO504).
        BackupResult? preImport = null;
        Func<BackupResult>? takeBackup = DatabaseContent.IsEmpty(target.DatabasePath, target.BusyTimeout) ? null : () => preImport = BackupWriter.Take(target.BackupRequest(BackupKind.PreImport, clock), cancellationToken);

        ImportResult result;
        try
        {
            result = JsonImport.Load(
                new ImportRequest { DatabasePath = target.DatabasePath, ImportPath = file, BusyTimeout = target.BusyTimeout, TakeBackupFirst = takeBackup },
                cancellationToken);
        }
        catch (MimoBackupException e) when (e.Error == MimoError.ImportMigrationMismatch)
        {
            RecordRefusal(target, output, "import", Path.GetFullPath(file), e, clock.GetUtcNow());
            throw;
        }
        catch (MimoBackupException e) when (preImport is not null)
        {
            // Refused after the backup: the database was rolled back, and the backup stays, on the record.
            new AuditLog(target.BackupFolder).Append("import", new JsonObject
            {
                ["database"] = target.DatabasePath,
                ["file"] = Path.GetFullPath(file),
                ["failed"] = e.Error.Code,
                ["preImport"] = preImport.Path,
            }, clock.GetUtcNow());
            output.Information($"{Prefix}the import was rolled back; the pre-import backup {Display(preImport.Path)} holds the unchanged content.");
            throw;
        }

        new AuditLog(target.BackupFolder).Append("import", new JsonObject
        {
            ["database"] = target.DatabasePath,
            ["file"] = Path.GetFullPath(file),
            ["lastMigration"] = result.LastMigration,
            ["tables"] = result.Tables.Count,
            ["rows"] = result.Rows,
            ["bytes"] = result.Bytes,
            ["preImport"] = result.Backup?.Path,
            ["preImportSha256"] = result.Backup?.Sidecar.Sha256,
            ["durationMs"] = (long)result.Duration.TotalMilliseconds,
        }, clock.GetUtcNow());

        output.Information(
            $"{Prefix}imported {Display(Path.GetFullPath(file))} into {Display(target.DatabasePath)} ({DataChangeReport.Plural(result.Tables.Count, "table")}, {DataChangeReport.Plural(result.Rows, "row")}, "
            + $"{Size(result.Bytes)}, at migration {result.LastMigration ?? "(none)"}; foreign_key_check ok) in {Seconds(result.Duration)}.");
        if (result.Backup is { } backup)
        {
            output.Information(
                $"{Prefix}the previous content is in {Display(backup.Path)} (verified pre-import backup, {Size(backup.Sidecar.SizeBytes)}, "
                + $"{DataChangeReport.Plural(backup.Sidecar.Census.TotalRows, "row")}). To undo: {RestoreCommand(backup.Path)}");
            if (target.Settings.MirrorDir is not null)
            {
                Aftercare(target, output).Mirror(backup, clock.GetUtcNow(), cancellationToken);
            }
        }
        else
        {
            output.Information($"{Prefix}there was no previous content to keep ({Display(target.DatabasePath)} was empty).");
        }

        WarnAboutVirtualTables(target, output, "imported");
        return MimoExitCode.Done;
    }

    /// <summary>Virtual tables (FTS indexes) are neither exported nor imported: an index kept by triggers is now stale.</summary>
    private static void WarnAboutVirtualTables(CommandTarget target, ICommandOutput output, string what)
    {
        var virtualTables = DatabaseContent.VirtualTables(target.DatabasePath, target.BusyTimeout);
        if (virtualTables.Count > 0)
        {
            output.Warning($"{Prefix}virtual tables are not {what} ({string.Join(", ", virtualTables)}); rebuild them from their content "
                + "after an import, e.g. INSERT INTO fts(fts) VALUES('rebuild') for an FTS index.");
        }
    }

    internal static (string Path, BackupSidecar? Sidecar) ResolveRestoreSource(CommandTarget target, string from, string? folder = null)
    {
        folder ??= target.BackupFolder;
        var catalog = BackupCatalog.Read(folder);
        var looksLikePath = from.Contains('/', StringComparison.Ordinal) || from.Contains('\\', StringComparison.Ordinal) || File.Exists(from);
        if (!looksLikePath)
        {
            if (BackupCatalog.Find(catalog, from) is { } entry)
            {
                return (entry.Path, entry.Sidecar);
            }

            var file = from.EndsWith(".db", StringComparison.Ordinal) ? from : from + ".db";
            if (catalog.FirstOrDefault(e => e.FileName == file) is { } incomplete)
            {
                throw new MimoBackupException(MimoError.RestoreSourceRejected, incomplete.Path, "it is an incomplete backup, never a restore point: " + incomplete.Problem);
            }

            // 'app.db-wal' names no backup; it is a side file, already gone when the runner's connection checkpointed it.
            if (DatabaseRestore.JournalOf(Path.GetFullPath(from)) is { } journal)
            {
                throw new MimoBackupException(MimoError.BadCommandUsage, $"'{from}' is the {journal} file of a database, not a database: give the database, not its {journal} (-p:MimoRestoreFrom={from[..^journal.Length]})");
            }

            throw new MimoBackupException(MimoError.BackupNotFound, from, folder);
        }

        var path = Path.GetFullPath(from);
        if (DatabaseRestore.JournalOf(path) is { } suffix)
        {
            // Checked before existence: the runner's own connection may have checkpointed the -wal away already.
            throw new MimoBackupException(MimoError.BadCommandUsage, $"'{from}' is the {suffix} file of a database, not a database: give the database, not its {suffix} (-p:MimoRestoreFrom={from[..^suffix.Length]})");
        }

        if (!File.Exists(path))
        {
            throw new MimoBackupException(MimoError.BackupNotFound, from, Path.GetDirectoryName(path));
        }

        BackupSidecar? sidecar = null;
        if (File.Exists(path + BackupSidecar.Suffix))
        {
            try
            {
                sidecar = BackupSidecar.Load(path + BackupSidecar.Suffix);
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new MimoBackupException(MimoError.RestoreSourceRejected, e, path, "its sidecar cannot be read: " + e.Message);
            }
        }

        return (path, sidecar);
    }

    private static void RequireDatabase(CommandTarget target)
    {
        if (!File.Exists(target.DatabasePath))
        {
            throw new MimoBackupException(MimoError.NoDatabase, $"'{target.DatabasePath}' does not exist");
        }
    }

    private const string BackupSource = "BACKUP";
    private const string MirrorSource = "MIRROR";

    /// <summary><c>-p:MimoSource</c>, upper-cased: null (not given), <see cref="BackupSource"/> or <see cref="MirrorSource"/>.</summary>
    private static string? Source(CommandOptions options)
        => options["Source"] is not { } source ? null
            : source.ToUpperInvariant() is BackupSource or MirrorSource ? source.ToUpperInvariant()
            : throw new MimoBackupException(MimoError.InvalidSetting, "MimoSource", source, "'backup', 'mirror'");

    /// <summary>The folder a list or restore reads: the backup folder, or the mirror with <c>-p:MimoSource=mirror</c>.</summary>
    internal static string SourceFolder(CommandTarget target, CommandOptions options)
        => Source(options) == MirrorSource ? MirrorFolder(target) : target.BackupFolder;

    private static string MirrorFolder(CommandTarget target)
        => target.Settings.MirrorDir ?? throw new MimoBackupException(
            MimoError.BadCommandUsage,
            $"-p:MimoSource=mirror needs {MimoSettings.MirrorDirName}, which is not set (give -p:{MimoSettings.MirrorDirName}=<folder>, the environment variable, or UseMimoBackup(o => o.MirrorDirectory(...)))");

    /// <summary>What the next prune decides for each entry of a folder's catalog; null for files prune does not consider.</summary>
    /// <summary>What the next prune decides for each entry: the prune's own scan and decisions, so the two never disagree.</summary>
    private static Func<CatalogEntry, RetentionDecision?> RetentionOf(string folder, RetentionPolicy policy, DateTimeOffset now)
    {
        var decisions = BackupPrune.Preview(folder, policy, now).ToDictionary(d => d.Name, StringComparer.Ordinal);
        return e => decisions.GetValueOrDefault(e.FileName) ?? decisions.GetValueOrDefault(e.FileName + BackupSidecar.Suffix);
    }

    /// <summary>A refusal is on the record and notified, like the guards' refusals of SPEC §3.</summary>
    private static void RecordRefusal(CommandTarget target, ICommandOutput output, string operation, string from, MimoBackupException refusal, DateTimeOffset now)
    {
        new AuditLog(target.BackupFolder).Append("refusal", new JsonObject
        {
            ["operation"] = operation,
            ["database"] = target.DatabasePath,
            ["from"] = from,
            ["code"] = refusal.Error.Code,
            ["message"] = refusal.Message,
        }, now);
        Aftercare(target, output).Publish(Notifier.Refusal(target.DatabasePath, refusal, now), now);
    }

    private static BackupAftercare Aftercare(CommandTarget target, ICommandOutput output)
        => new(target.Settings, target.BackupFolder, output);

    private static JsonObject ToJson(CommandTarget target, string folder, IReadOnlyList<CatalogEntry> catalog, Func<CatalogEntry, RetentionDecision?> retention)
    {
        var backups = new JsonArray();
        foreach (var e in catalog)
        {
            backups.Add(new JsonObject
            {
                ["name"] = e.FileName,
                ["path"] = e.Path,
                ["createdUtc"] = e.CreatedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["createdLocal"] = e.CreatedUtc.ToLocalTime().ToString("O", CultureInfo.InvariantCulture),
                ["kind"] = e.Kind,
                ["sizeBytes"] = e.SizeBytes,
                ["lastMigration"] = e.LastMigration,
                ["complete"] = e.State == CatalogState.Complete,
                ["verified"] = e.Verified,
                ["failedCheck"] = e.FailedCheck,
                ["pinned"] = e.Pinned,
                ["sha256"] = e.Sidecar?.Sha256,
                ["problem"] = e.Problem,
                ["retention"] = retention(e) is { } decision ? new JsonObject { ["keep"] = decision.Keep, ["reason"] = decision.Reason } : null,
            });
        }

        return new JsonObject { ["database"] = target.DatabasePath, ["folder"] = folder, ["backups"] = backups };
    }

    internal static IEnumerable<string> Table(string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells)
        {
            var line = new StringBuilder();
            for (var i = 0; i < cells.Length; i++)
            {
                line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
            }

            return line.ToString().TrimEnd();
        }

        yield return Line(header);
        foreach (var row in rows)
        {
            yield return Line(row);
        }
    }

    internal static string RestoreCommand(string backupPath) => CommandHints.Restore(backupPath);

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    internal static string Age(TimeSpan age)
        => age switch
        {
            { TotalMinutes: < 1 } => "less than a minute",
            { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min",
            { TotalDays: < 2 } => $"{(int)age.TotalHours} h {age.Minutes} min",
            _ => $"{(int)age.TotalDays} days",
        };
}
