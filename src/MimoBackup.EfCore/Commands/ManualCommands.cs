using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Commands;

/// <summary>
/// The manual operations of SPEC §5 behind the MSBuild targets (and later <c>dotnet mimo</c>): each reads its
/// options, calls the engine and says what it did. Failures are <see cref="MimoBackupException"/>s.
/// </summary>
internal static class ManualCommands
{
    /// <summary>The verbs, as the runner and the targets name them.</summary>
    public static readonly IReadOnlyList<string> Verbs = ["backup", "list", "restore", "verify", "status", "prune", "export", "import", "plan"];

    public static MimoExitCode Run(string verb, CommandTarget target, CommandOptions options, ICommandOutput output, TimeProvider clock, CancellationToken cancellationToken)
    {
        // An output that draws progress (the tool's) hears how far long work is; the targets' log output does not.
        using var progress = WorkProgress.Use(output as IWorkProgress);
        return verb switch
        {
            "backup" => BackupCommand.Run(target, options, output, clock, cancellationToken),
            "list" => ListCommand.Run(target, options, output, clock),
            "restore" => RestoreCommand.Run(target, options, output, clock, cancellationToken),
            "verify" => VerifyCommand.Run(target, options, output, clock, cancellationToken),
            "status" => StatusCommand.Run(target, options, output, clock),
            "export" => ExportCommand.Run(target, options, output, clock, cancellationToken),
            "import" => ImportCommand.Run(target, options, output, clock, cancellationToken),
            "prune" => PruneCommand.Run(target, options, output, clock, cancellationToken),
            "plan" => PlanCommand.Run(target, options, output, clock, cancellationToken),
            _ => throw new MimoBackupException(MimoError.BadCommandUsage, $"'{verb}' is not one of {string.Join(", ", Verbs)}"),
        };
    }
}
