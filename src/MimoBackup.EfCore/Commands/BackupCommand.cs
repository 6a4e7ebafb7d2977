using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.BackupMigrator;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary><c>MimoBackup</c>: a verified manual backup now, optionally named and pinned.</summary>
internal static class BackupCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var name = options["BackupName"];
        if (name is not null)
        {
            BackupNames.Validate(name);
        }

        CommandSteps.RequireDatabase(target);
        var backup = BackupWriter.Take(target.BackupRequest(BackupKind.Manual, clock, name, options.Flag("Pin")), cancellationToken);

        new AuditLog(target.BackupFolder).Append(
            "backup", AddFacts(new JsonObject { ["kind"] = BackupKind.Manual, ["database"] = target.DatabasePath }, backup), clock.GetUtcNow());
        output.Information($"{Prefix}{Describe(backup)}. To restore it: {CommandHints.Restore(backup.Path)}");
        CommandSteps.Aftercare(target, output).AfterBackup(backup, clock.GetUtcNow(), cancellationToken);
        return MimoExitCode.Done;
    }
}
