using Microsoft.Extensions.Logging;

namespace MimoBackup.EfCore;

/// <summary>
/// The event ids of the lines MimoBackup logs, as EF Core's <c>CoreEventId</c> and <c>RelationalEventId</c> identify
/// theirs: each kind of line has its own, stable across versions, so that logging filters and monitoring can pick
/// them out. They are logged in EF's <c>Microsoft.EntityFrameworkCore.Migrations</c> category at run time.
/// </summary>
public static class MimoBackupEventId
{
    // Clear of EF's own ranges (10000 core, 20000 relational, 30000-39999 providers and design).
    private const int BaseId = 41000;

    /// <summary>No backup is needed: not SQLite, in memory, missing, empty, or no migration to apply or revert (information).</summary>
    public static readonly EventId NoBackupNeeded = Make(0, nameof(NoBackupNeeded));

    /// <summary>What the update is about to do: its migrations and the data-changing operations in them (information).</summary>
    public static readonly EventId PlanReported = Make(1, nameof(PlanReported));

    /// <summary>A verified backup was taken before a migration, with the command that restores it (information).</summary>
    public static readonly EventId BackupTaken = Make(2, nameof(BackupTaken));

    /// <summary><c>MimoBackupEnabled=false</c>: migrating or deleting without a backup (warning).</summary>
    public static readonly EventId BackupsDisabled = Make(3, nameof(BackupsDisabled));

    /// <summary><c>MimoSkipBackup</c>: the backup is skipped, or a build's skip was already used (warning or information).</summary>
    public static readonly EventId BackupSkipped = Make(4, nameof(BackupSkipped));

    /// <summary>Why no existing backup counts as fresh for a skip (warning).</summary>
    public static readonly EventId NoFreshBackup = Make(5, nameof(NoFreshBackup));

    /// <summary>The rehearsal on a copy of the backup begins (information).</summary>
    public static readonly EventId RehearsalStarting = Make(6, nameof(RehearsalStarting));

    /// <summary>The update cannot be rehearsed, for the reason given (warning).</summary>
    public static readonly EventId RehearsalNotPossible = Make(7, nameof(RehearsalNotPossible));

    /// <summary>The rehearsal's result: what the update will change, or why it failed (information or warning).</summary>
    public static readonly EventId RehearsalCompleted = Make(8, nameof(RehearsalCompleted));

    /// <summary>After the update, what it changed compared with the backup (information, or warning when data was lost).</summary>
    public static readonly EventId DataChangesReported = Make(9, nameof(DataChangesReported));

    /// <summary>The update failed part-way: what was committed, what was lost, and the restore command (warning).</summary>
    public static readonly EventId MigrationFailed = Make(10, nameof(MigrationFailed));

    /// <summary>A migration lock left by a killed process was released (warning).</summary>
    public static readonly EventId MigrationLockReleased = Make(11, nameof(MigrationLockReleased));

    /// <summary>A verified <c>pre-drop</c> backup was taken before the database is deleted (information).</summary>
    public static readonly EventId DropBackupTaken = Make(12, nameof(DropBackupTaken));

    /// <summary>A database is deleted without a new backup: backups off, or a fresh one covers it (warning).</summary>
    public static readonly EventId DropWithoutBackup = Make(13, nameof(DropWithoutBackup));

    /// <summary>The backup before a drop could not be taken, so the drop is refused (warning).</summary>
    public static readonly EventId DropBackupFailed = Make(14, nameof(DropBackupFailed));

    /// <summary>A verified backup was copied to <c>MimoMirrorDir</c> (information).</summary>
    public static readonly EventId BackupMirrored = Make(15, nameof(BackupMirrored));

    /// <summary>The copy to <c>MimoMirrorDir</c> failed; the command itself went on (warning, MIMO401).</summary>
    public static readonly EventId MirrorFailed = Make(16, nameof(MirrorFailed));

    /// <summary>What the automatic prune removed and kept, and why (information).</summary>
    public static readonly EventId BackupsPruned = Make(17, nameof(BackupsPruned));

    /// <summary>The prune could not read its folder or delete a backup (warning, MIMO403).</summary>
    public static readonly EventId PruneFailed = Make(18, nameof(PruneFailed));

    /// <summary><c>MimoNotifyCommand</c> could not start, failed or timed out (warning, MIMO402).</summary>
    public static readonly EventId NotifyFailed = Make(19, nameof(NotifyFailed));

    /// <summary>A verified backup was uploaded to <c>MimoRemote</c>, or an upload is under way (information).</summary>
    public static readonly EventId BackupUploaded = Make(20, nameof(BackupUploaded));

    /// <summary>The upload to <c>MimoRemote</c> failed; the command itself went on (warning, MIMO601).</summary>
    public static readonly EventId UploadFailed = Make(21, nameof(UploadFailed));

    private static EventId Make(int offset, string name) => new(BaseId + offset, "MimoBackup.EfCore." + name);
}
