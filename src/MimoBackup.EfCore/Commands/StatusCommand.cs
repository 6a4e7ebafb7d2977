using System.Globalization;
using System.Text.Json.Nodes;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoStatus</c>: the database, its migrations and its backups, with what needs attention.</summary>
internal static class StatusCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock)
    {
        var maxAgeDays = options.Number("MaxBackupAgeDays");
        var json = CommandJson.Format(options) == "json";
        var lines = new List<string>();
        var facts = new JsonObject();
        var database = target.DatabasePath;
        var status = DatabaseStatus.Read(database, target.BusyTimeout);
        facts["database"] = database;
        facts["exists"] = status.Exists;
        facts["sizeBytes"] = status.SizeBytes;
        facts["walBytes"] = status.WalBytes;
        facts["journalMode"] = status.Exists ? status.JournalMode : null;
        facts["tables"] = status.Tables;
        facts["rows"] = status.Rows;
        facts["problem"] = status.Problem;
        lines.Add($"{Prefix}database {Display(database)}");
        if (!status.Exists)
        {
            lines.Add($"{Prefix}  the file does not exist yet ({CommandHints.DatabaseUpdate()} creates it).");
        }
        else if (status.Problem is null)
        {
            lines.Add($"{Prefix}  size {Size(status.SizeBytes)}, WAL {Size(status.WalBytes)}, journal mode {status.JournalMode}, "
                + $"{DataChangeReport.Plural(status.Tables, "table")}, {DataChangeReport.Plural(status.Rows, "row")}");
        }
        else
        {
            lines.Add($"{Prefix}  size {Size(status.SizeBytes)}, WAL {Size(status.WalBytes)}");
        }

        if (target.Applied is { } applied)
        {
            var pending = target.Pending ?? [];
            facts["migrations"] = new JsonObject { ["applied"] = new JsonArray([.. applied.Select(m => (JsonNode)m)]), ["pending"] = new JsonArray([.. pending.Select(m => (JsonNode)m)]) };
            lines.Add($"{Prefix}  migrations: {applied.Count} applied{(applied.Count > 0 ? $" (last {applied[^1]})" : "")}, "
                + (pending.Count == 0 ? "none pending" : $"{pending.Count} pending: {string.Join(", ", pending)}"));
        }

        var catalog = BackupCatalog.Read(target.BackupFolder);
        var newest = BackupCatalog.NewestVerified(catalog);
        var now = clock.GetUtcNow();
        facts["backups"] = new JsonObject
        {
            ["folder"] = target.BackupFolder,
            ["complete"] = catalog.Count(e => e.State == CatalogState.Complete),
            ["newestVerified"] = newest is null ? null : new JsonObject
            {
                ["name"] = newest.FileName,
                ["createdUtc"] = newest.CreatedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["ageSeconds"] = (long)(now - newest.CreatedUtc).TotalSeconds,
            },
        };
        lines.Add($"{Prefix}  backups in {Display(target.BackupFolder)}: {catalog.Count(e => e.State == CatalogState.Complete)}"
            + (newest is null ? ", none verified" : $", newest verified {newest.FileName} ({Age(now - newest.CreatedUtc)} old)"));

        var warnings = new List<string>();
        if (target.Settings.Remote is { } remote)
        {
            // From the audit log, offline: status never waits on the network.
            var copy = newest is null ? null : BackupMirror.LatestCopy(new LocalFolderStore(target.BackupFolder), OffSiteKind.Remote, newest.FileName);
            var encrypted = target.Settings.EncryptionKey is { } key ? $", encrypted with key {key.Id}" : "";
            facts["remote"] = new JsonObject
            {
                ["address"] = remote.Text,
                ["keyId"] = target.Settings.EncryptionKey?.Id,
                ["newestVerifiedUploaded"] = copy is { Ok: true },
                ["uploadedUtc"] = copy is { Ok: true } ? copy.Value.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) : null,
                ["failure"] = copy is { Ok: false } ? copy.Value.Reason : null,
            };
            lines.Add($"{Prefix}  remote {remote.Text}{encrypted}: "
                + (newest is null ? "nothing to upload yet"
                    : copy is { Ok: true } ? $"newest verified backup uploaded {Age(now - copy.Value.At)} ago"
                    : copy is not null ? "the newest verified backup's upload FAILED"
                    : "the newest verified backup was not uploaded"));
            if (newest is not null && copy is not { Ok: true })
            {
                warnings.Add(copy is { Reason: var reason }
                    ? $"the newest verified backup {newest.FileName} is not on {remote.Text} ({reason}): the next backup retries it, or take one now with {CommandHints.Backup()}"
                    : $"the newest verified backup {newest.FileName} is not on {remote.Text} (it was taken before {SettingDefinitions.Remote.Name} was set): take one now with {CommandHints.Backup()}");
            }
        }

        if (status.Problem is { } problem)
        {
            warnings.Add($"the database cannot be read ({problem}): restore a backup with {CommandHints.Restore("<name>")}");
        }

        if (status.Exists && newest is null)
        {
            warnings.Add($"no verified backup of this database yet: take one with {CommandHints.Backup()}");
        }
        else if (newest is not null && now - newest.CreatedUtc > TimeSpan.FromDays(maxAgeDays))
        {
            warnings.Add($"the newest verified backup is {Age(now - newest.CreatedUtc)} old, older than MimoMaxBackupAgeDays={maxAgeDays}: take one with {CommandHints.Backup()}");
        }

        var failedChecks = catalog.Where(e => e.FailedCheck is not null).ToList();
        if (failedChecks.Count > 0)
        {
            warnings.Add($"{failedChecks.Count} backup{(failedChecks.Count == 1 ? "" : "s")} failed {(failedChecks.Count == 1 ? "its" : "their")} last verification and {(failedChecks.Count == 1 ? "is" : "are")} not counted as verified "
                + $"({string.Join(", ", failedChecks.Take(3).Select(e => e.FileName))}{(failedChecks.Count > 3 ? ", …" : "")}): {CommandHints.Verify()} says why");
        }

        var leftovers = catalog.Where(e => e.State != CatalogState.Complete).ToList();
        if (leftovers.Count > 0)
        {
            warnings.Add($"{leftovers.Count} leftover or incomplete file{(leftovers.Count == 1 ? "" : "s")} in the backup folder ({string.Join(", ", leftovers.Take(3).Select(e => e.FileName))}{(leftovers.Count > 3 ? ", …" : "")})");
        }

        var checkpoint = options.Flag("Checkpoint");
        if (status.WalBytes >= DatabaseStatus.LargeWalBytes && !checkpoint)
        {
            warnings.Add($"the WAL holds {Size(status.WalBytes)}: readers pay for it; {CommandHints.Checkpoint()} runs PRAGMA wal_checkpoint(TRUNCATE)");
        }

        string? checkpointed = null;
        if (checkpoint && status.Exists && status.Problem is null)
        {
            checkpointed = $"{DatabaseStatus.Checkpoint(database, target.BusyTimeout)}; WAL now {Size(DatabaseStatus.WalSize(database))}";
        }

        if (json)
        {
            facts["checkpoint"] = checkpointed;
            facts["warnings"] = new JsonArray([.. warnings.Select(w => (JsonNode)w)]);
            output.Information(facts.ToJsonString(CommandJson.Plain));
            return MimoExitCode.Done;
        }

        foreach (var line in lines)
        {
            output.Information(line);
        }

        foreach (var warning in warnings)
        {
            output.Warning(Prefix + warning);
        }

        if (checkpointed is not null)
        {
            output.Information($"{Prefix}checkpoint: {checkpointed}.");
        }

        if (warnings.Count == 0)
        {
            output.Information($"{Prefix}no warnings.");
        }

        return MimoExitCode.Done;
    }

    internal static string Age(TimeSpan age)
        => age switch
        {
            { TotalMinutes: < 1 } => "less than a minute",
            { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min",
            { TotalDays: < 2 } => $"{(int)age.TotalHours} h {age.Minutes} min",
            _ => $"{(int)age.TotalDays} days",
        };
}
