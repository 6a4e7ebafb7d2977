using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;
using static MimoBackup.EfCore.Internal.ReportText;

namespace MimoBackup.EfCore.Commands;

/// <summary>
/// Applies the retention policy (SPEC §6) to the backup folder and, when they are set, the mirror and the remote
/// (<c>-p:MimoSource=backup|mirror|remote</c> picks one); <c>-p:MimoDryRun=true</c> decides without deleting. Every
/// decision is printed with its reason. A file that cannot be deleted is a MIMO403 warning, never a failure.
/// </summary>
internal static class PruneCommand
{
    public static MimoExitCode Run(CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        var dryRun = options.Flag("DryRun");
        var aftercare = CommandSteps.Aftercare(target, output);
        IReadOnlyList<IBackupStore> stores = CommandSource.Of(options) switch
        {
            null => aftercare.Stores,
            _ => [CommandSource.Store(target, options)],
        };
        if (CommandSource.Of(options) is null && target.Settings.Remote is not null && aftercare.OpenRemote(out var unopened) is null)
        {
            // The folders are pruned all the same; the remote that cannot be opened is said once.
            output.Warning(Prefix + unopened!.Message);
        }

        var policy = target.Settings.Retention;
        var now = clock.GetUtcNow();
        foreach (var store in stores)
        {
            var folder = store.Location;
            output.Information($"{Prefix}{(dryRun ? "dry run, nothing is deleted: " : "")}retention in {Display(folder)}: every backup for {DataChangeReport.Plural(policy.Days, "day")} "
                + $"(MimoRetentionDays), then the newest of each month for {DataChangeReport.Plural(policy.Months, "month")} (MimoRetentionMonths); pinned backups, "
                + "the last before each major version change and the newest verified backup always stay.");
            if (aftercare.Prune(store, dryRun, now, cancellationToken) is not { } result)
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
                var verb = decision.Keep ? "keep" : result.Failed.Contains(decision.Name) ? "NOT DELETED"
                    : result.Protected.Contains(decision.Name) ? "kept (locked)" : dryRun ? "would delete" : "deleted";
                output.Information($"{Prefix}  {verb,-12} {decision.Name.PadRight(width)}  {BackupAftercare.Bare(decision.Reason)}");
            }

            output.Information(BackupAftercare.Summary(result));
            aftercare.Publish(Notifier.Prune(result, now), now);
        }

        return MimoExitCode.Done;
    }
}
