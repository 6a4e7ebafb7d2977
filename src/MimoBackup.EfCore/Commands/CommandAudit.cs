using System.Text.Json.Nodes;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Commands;

/// <summary>Audit records the commands share.</summary>
internal static class CommandAudit
{
    /// <summary>A refusal is on the record and notified, like the guards' refusals of SPEC §3.</summary>
    internal static void RecordRefusal(CommandTarget target, ICommandOutput output, string operation, string from, MimoBackupException refusal, DateTimeOffset now)
    {
        new AuditLog(target.BackupFolder).Append("refusal", new JsonObject
        {
            ["operation"] = operation,
            ["database"] = target.DatabasePath,
            ["from"] = from,
            ["code"] = refusal.Error.Code,
            ["message"] = refusal.Message,
        }, now);
        CommandSteps.Aftercare(target, output).Publish(Notifier.Refusal(target.DatabasePath, refusal, now), now);
    }
}
