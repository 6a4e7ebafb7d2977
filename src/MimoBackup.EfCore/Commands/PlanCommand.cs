using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.BackupMigrator;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary>
/// <c>MimoPlan</c>: what the next <c>database update</c> would do — classification, then a rehearsal on a fresh
/// verified snapshot taken into a private temporary folder — without migrating or keeping anything.
/// </summary>
internal static class PlanCommand
{
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Migration generation currently isn't compatible with trimming")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Migrations operations are not supported with NativeAOT")]
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var format = CommandJson.Format(options);

        if (target.OpenContext is null || target.Applied is null)
        {
            throw new MimoBackupException(MimoError.BadCommandUsage, "MimoPlan needs the app's DbContext and a readable migration history: run it in the app's folder without MimoDatabase");
        }

        if (!File.Exists(target.DatabasePath))
        {
            throw new MimoBackupException(MimoError.NoDatabase, $"'{target.DatabasePath}' does not exist");
        }

        using var context = target.OpenContext();
        var migrator = context.GetService<IMigrator>() is BackupMigrator decorated ? decorated.Inner : context.GetService<IMigrator>();
        var assembly = context.GetService<IMigrationsAssembly>();
        var historyTable = HistoryTable(context);
        var plan = MigrationPlan.Compute(target.Applied, assembly.Migrations.Keys, null);
        var json = new JsonObject { ["database"] = target.DatabasePath, ["plan"] = plan.Describe() };
        if (plan.IsEmpty)
        {
            return Finish($"{Prefix}no migration pending on {Display(target.DatabasePath)}; nothing would change.", MimoExitCode.Done);
        }

        var findings = OperationClassifier.ClassifyPlan(plan, assembly, context.Database.ProviderName!, DatabaseContent.Columns(target.DatabasePath, target.BusyTimeout));
        output.Information($"{Prefix}plan for {Display(target.DatabasePath)}: {PlanLine(plan, findings)}");
        json["findings"] = new JsonArray([.. findings.Select(f => (JsonNode)new JsonObject { ["migration"] = f.MigrationId, ["text"] = f.Text })]);

        var work = Directory.CreateTempSubdirectory("mimo-plan-");
        try
        {
            BackupFolder.Prepare(work.FullName);
            var snapshot = BackupWriter.Take(target.BackupRequest(BackupKind.PreMigration, clock) with { BackupFolder = work.FullName }, cancellationToken);
            var result = MigrationRehearsal.Run(context, migrator, snapshot.Path, work.FullName, null, plan, historyTable, [historyTable, LockTable], target.BusyTimeout, cancellationToken)
                ?? throw new MimoBackupException(MimoError.BadCommandUsage, "the app's DbContext holds its connection open, so it cannot be pointed at a copy");
            json["durationMs"] = (long)result.Duration.TotalMilliseconds;
            if (result.Report is not { } report)
            {
                json["failedMigration"] = result.FailedMigration;
                json["error"] = result.Error;
                var refusal = new MimoBackupException(MimoError.RehearsalFailed, result.FailedMigration ?? "(unknown)", result.Error, "MimoPlan keeps no backup");
                if (format == "json")
                {
                    output.Information(json.ToJsonString());
                }

                throw refusal;
            }

            json["report"] = report.ToJson();
            return Finish(RehearsalText(result) + Environment.NewLine + $"{Prefix}nothing was migrated.", MimoExitCode.Done);
        }
        finally
        {
            work.Delete(recursive: true);
        }

        MimoExitCode Finish(string text, MimoExitCode code)
        {
            output.Information(format == "json" ? json.ToJsonString() : text);
            return code;
        }
    }
}
