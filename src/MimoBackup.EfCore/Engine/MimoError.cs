namespace MimoBackup.EfCore.Engine;

/// <summary>How a MIMO failure ends a command: the exit codes of SPEC §9.</summary>
internal enum MimoExitCode
{
    Done = 0,
    Failed = 1,
    BadUsage = 2,
    Refused = 3,
    VerificationFailed = 4,
}

/// <summary>One stable diagnostic: its code, the sentence of cause and the sentence of remedy.</summary>
internal sealed record MimoError(string Code, MimoExitCode ExitCode, string Cause, string Remedy)
{
    // The README's table of errors is generated from this list by a test; codes never change meaning.
    public static readonly MimoError InvalidSetting = new(
        "MIMO001", MimoExitCode.BadUsage,
        "The setting {0} has the value '{1}', which is not one of {2}.",
        "Fix or remove the MSBuild property, environment variable or UseMimoBackup option of that name.");

    public static readonly MimoError SettingsFileUnreadable = new(
        "MIMO002", MimoExitCode.BadUsage,
        "The settings file '{0}' written by the build cannot be read: {1}.",
        "Rebuild the project so that the package writes it again.");

    public static readonly MimoError UseMimoBackupBeforeProvider = new(
        "MIMO003", MimoExitCode.BadUsage,
        "UseMimoBackup() was called before the database provider was configured.",
        "Call it after UseSqlite(...): options.UseSqlite(connectionString).UseMimoBackup().");

    public static readonly MimoError ServicesMissing = new(
        "MIMO006", MimoExitCode.BadUsage,
        "UseMimoBackup() is on a context whose UseInternalServiceProvider(...) provider has no MimoBackup services, so its migrations would not be backed up.",
        "Add services.AddEntityFrameworkMimoBackup() after AddEntityFrameworkSqlite() where that provider is built.");

    public static readonly MimoError ServicesBeforeProvider = new(
        "MIMO007", MimoExitCode.BadUsage,
        "AddEntityFrameworkMimoBackup() was called before the SQLite provider's services were added.",
        "Call it after AddEntityFrameworkSqlite(): services.AddEntityFrameworkSqlite().AddEntityFrameworkMimoBackup().");

    public static readonly MimoError BackupFolderNotWritable = new(
        "MIMO101", MimoExitCode.Failed,
        "The backup folder '{0}' cannot be created or written: {1}.",
        "Make the folder writable, or point MimoBackupDir at a folder that is; nothing was migrated.");

    public static readonly MimoError DiskFull = new(
        "MIMO102", MimoExitCode.Failed,
        "The disk holding '{0}' ran out of space while the backup was written.",
        "Free space or point MimoBackupDir at another disk; the partial copy was removed and nothing was migrated.");

    public static readonly MimoError DatabaseLocked = new(
        "MIMO103", MimoExitCode.Failed,
        "The database '{0}' stayed locked by another connection for longer than the busy timeout ({1}).",
        "Stop or wait for the process that holds a write lock on the database, then run the command again; nothing was migrated.");

    public static readonly MimoError SnapshotFailed = new(
        "MIMO104", MimoExitCode.Failed,
        "The snapshot of '{0}' could not be taken: {1}.",
        "Check that the file is a readable SQLite database; nothing was migrated.");

    public static readonly MimoError VerificationFailed = new(
        "MIMO105", MimoExitCode.VerificationFailed,
        "The backup copy of '{0}' failed verification: {1}.",
        "The copy was deleted and nothing was migrated; check the disk and run the command again.");

    public static readonly MimoError NotASqliteDatabase = new(
        "MIMO106", MimoExitCode.Failed,
        "The file '{0}' is not a SQLite database: {1}.",
        "Check the connection string; MimoBackup only backs up SQLite database files.");

    public static readonly MimoError AuditLogUnwritable = new(
        "MIMO107", MimoExitCode.Failed,
        "The audit log '{0}' cannot be written: {1}.",
        "Make the backup folder writable; a skip or backup that cannot be recorded is not performed.");

    public static readonly MimoError Cancelled = new(
        "MIMO108", MimoExitCode.Failed,
        "The work on '{0}' was cancelled before it completed.",
        "Nothing was migrated, restored or imported and no partial backup or file was kept; run the command again.");

    public static readonly MimoError DestructiveMigrationRefused = new(
        "MIMO301", MimoExitCode.Refused,
        "Refused: take a backup first ({6}) or run without {3} — {0} on '{1}' changes data ({2}), and no verified backup of this database younger than {4} min exists in '{5}'.",
        "The database was not touched.");

    public static readonly MimoError DropRefused = new(
        "MIMO302", MimoExitCode.Refused,
        "Refused: take a backup first ({4}), then run the command again — deleting '{0}' ({1}) needs a verified backup of it younger than {2} min in '{3}'.",
        "The database was not touched.");

    public static readonly MimoError InvalidBackupName = new(
        "MIMO201", MimoExitCode.BadUsage,
        "The backup name '{0}' is not allowed: {1}.",
        "Use 1 to 64 letters, digits, '-', '_' or '.', not starting with '.', e.g. MimoBackupName=before-major-change.");

    public static readonly MimoError BackupNotFound = new(
        "MIMO202", MimoExitCode.BadUsage,
        "No complete backup or file named '{0}' was found (looked in '{1}').",
        "Run MimoBackupList to see the restore points, or give the path of a SQLite file.");

    public static readonly MimoError RestoreSourceRejected = new(
        "MIMO203", MimoExitCode.VerificationFailed,
        "Refused to restore from '{0}': {1}.",
        "Pick another backup (MimoBackupList); the database was not touched.");

    public static readonly MimoError RestoreLocked = new(
        "MIMO204", MimoExitCode.Failed,
        "The database '{0}' stayed locked by another connection for longer than the busy timeout ({1}) while it was being restored.",
        "Stop or wait for the process that holds the database, then run the restore again; the database is unchanged.");

    public static readonly MimoError RestoreMismatch = new(
        "MIMO205", MimoExitCode.VerificationFailed,
        "After restoring '{0}' its rows do not match the backup: {1}.",
        "Restore the pre-restore backup '{2}' to undo, and check the disk.");

    public static readonly MimoError BackupCheckFailed = new(
        "MIMO206", MimoExitCode.VerificationFailed,
        "The backup '{0}' failed verification: {1}.",
        "Do not restore from it; take a new backup (MimoBackup) and check the disk that holds the backup folder.");

    public static readonly MimoError NoDatabase = new(
        "MIMO207", MimoExitCode.BadUsage,
        "No SQLite database file could be found for this command: {0}.",
        "Set MimoDatabase to the file, or pick the DbContext with MimoContext.");

    public static readonly MimoError ContextNotCreated = new(
        "MIMO208", MimoExitCode.Failed,
        "The app's DbContext could not be created the way dotnet-ef creates it: {0}.",
        "Check that EF's design-time tools can create the context in this project (dbcontext info), pick the context with MimoContext, or set MimoDatabase.");

    public static readonly MimoError BadCommandUsage = new(
        "MIMO209", MimoExitCode.BadUsage,
        "{0}.",
        "Give the command what the message names; the README's \"Manual operations\" shows every command with its options.");

    public static readonly MimoError NotBuilt = new(
        "MIMO210", MimoExitCode.BadUsage,
        "The app's build output '{0}' is missing, so its DbContext cannot be loaded.",
        "Build the project first, or run without MimoNoBuild=true.");

    public static readonly MimoError StaleMigrationLock = new(
        "MIMO110", MimoExitCode.Failed,
        "'{0}' has a row in EF's __EFMigrationsLock (since {1}) that {2}, so EF would wait for it forever.",
        "If no migration is running, delete it — sqlite3 '{0}' 'DELETE FROM \"__EFMigrationsLock\"' — and update again; nothing was migrated.");

    public static readonly MimoError SchemaAheadOfHistory = new(
        "MIMO111", MimoExitCode.Refused,
        "Refused: '{0}' has the migration history it had before the update that {1} was taken for, but not its schema ({2}): that update was interrupted after part of it was committed, so EF would run it again on a half-migrated database.",
        "Restore the backup taken before it ({3}), then update again. If the schema was changed on purpose, take a backup first ({4}): a newer backup accepts the database as it is.");

    public static readonly MimoError RehearsalFailed = new(
        "MIMO303", MimoExitCode.Refused,
        "Refused: fix migration {0} (or the data it meets) and update again — on a copy of the verified backup it failed: {1}.",
        "Nothing was migrated; {2}.");

    public static readonly MimoError Unexpected = new(
        "MIMO211", MimoExitCode.Failed,
        "The command failed unexpectedly: {0}.",
        "The lines above say what was done before it stopped; the details follow as a warning, please report them.");

    /// <summary>A warning of the MSBuild task (which does not reference this assembly): the report travels in it.</summary>
    public static readonly MimoError TerminalLoggerHidesReport = new(
        "MIMO212", MimoExitCode.Done,
        "The terminal logger shows build messages only at -v:detailed, so the command's report is given in this warning.",
        "Nothing to fix; run with -tl:off to read the report as plain lines.");

    public static readonly MimoError NotExecutable = new(
        "MIMO213", MimoExitCode.BadUsage,
        "The project '{0}' has no runtimeconfig.json, so it is not an app the Mimo targets can run in.",
        "Like dotnet-ef, run the target in the executable project (OutputType Exe) that configures the DbContext.");

    public static readonly MimoError RestorePageSizeMismatch = new(
        "MIMO214", MimoExitCode.Failed,
        "'{1}' has pages of {2} bytes and the WAL database '{0}' of {3}: SQLite cannot copy one into the other in place.",
        "Stop the app, run sqlite3 on the database with PRAGMA journal_mode=DELETE, restore, then switch back to WAL; the database is unchanged.");

    public static readonly MimoError DiskFullDatabaseUnchanged = new(
        "MIMO215", MimoExitCode.Failed,
        "The disk holding '{0}' ran out of space while {1}.",
        "Free space on that disk and run the command again; the database is unchanged (a partial copy was removed).");

    public static readonly MimoError BuildFailed = new(
        "MIMO216", MimoExitCode.Failed,
        "The build of '{0}' failed (exit code {1}), so the command did not run; the build's errors are printed before this.",
        "Fix the build, or run the command on the last build without building (MimoNoBuild); nothing was done.");

    public static readonly MimoError MirrorFailed = new(
        "MIMO401", MimoExitCode.Failed,
        "The backup '{0}' could not be copied to the mirror folder '{1}': {2}.",
        "The backup itself is complete and verified; make MimoMirrorDir writable (or unset it), and the next backup is mirrored again.");

    public static readonly MimoError NotifyFailed = new(
        "MIMO402", MimoExitCode.Failed,
        "The notification command '{0}' failed: {1}.",
        "Fix MimoNotifyCommand: it gets the event as JSON on standard input and must exit 0 within {2} seconds; the operation itself was not affected.");

    public static readonly MimoError PruneDeleteFailed = new(
        "MIMO403", MimoExitCode.Failed,
        "Prune could not delete '{0}': {1}.",
        "Make the backup folder writable; the file was left in place and the next prune tries again.");
    public static readonly MimoError ExportUnwritable = new(
        "MIMO501", MimoExitCode.Failed,
        "The export file '{0}' cannot be written: {1}.",
        "Make its folder writable or free space, then export again; no partial export file was left.");

    public static readonly MimoError ImportMalformed = new(
        "MIMO502", MimoExitCode.Failed,
        "The export file '{0}' is malformed or truncated at {1}: {2}.",
        "Import a complete file written by MimoExport; everything was rolled back and the database was not changed.");

    public static readonly MimoError ImportFormatVersion = new(
        "MIMO503", MimoExitCode.Failed,
        "The export file '{0}' has format version {1}; this version of MimoBackup reads version {2}.",
        "Import it with the MimoBackup version that wrote it, or export again with this one; the database was not changed.");

    public static readonly MimoError ImportMigrationMismatch = new(
        "MIMO504", MimoExitCode.Refused,
        "Refused: the export file '{0}' was written at migration {1}, but the database '{2}' is at migration {3}.",
        "Migrate the database to {1} first (database update {1}), then import again; the database was not changed.");

    public static readonly MimoError ImportUnknownTable = new(
        "MIMO505", MimoExitCode.Failed,
        "The export file '{0}' holds {1}, which the database '{2}' does not have.",
        "Import into a database created by the same migrations as the exported one; the database was not changed.");

    public static readonly MimoError ImportValueRejected = new(
        "MIMO506", MimoExitCode.Failed,
        "The export file '{0}' has a value that does not fit at {1}: {2}.",
        "Correct that row, or import into a database with the schema it was exported from; everything was rolled back.");

    public static readonly MimoError ImportForeignKeyViolated = new(
        "MIMO507", MimoExitCode.Failed,
        "The export file '{0}' breaks a foreign key at {1}: the row it refers to in table '{2}' does not exist.",
        "Add the row it refers to, or correct the reference; everything was rolled back and the database was not changed.");

    public static readonly MimoError ImportFileUnreadable = new(
        "MIMO508", MimoExitCode.BadUsage,
        "The export file '{0}' cannot be opened: {1}.",
        "Check the path of the file to import; the database was not changed.");

    public static readonly MimoError ExportSourceUnreadable = new(
        "MIMO509", MimoExitCode.Failed,
        "The database '{0}' cannot be read for export: {1}.",
        "Check that the file is a readable SQLite database; no export file was written.");

    public static readonly MimoError ImportFailed = new(
        "MIMO510", MimoExitCode.Failed,
        "The import into '{0}' failed at {1}: {2}.",
        "Everything was rolled back and the database was not changed; remove the cause named and import again.");

    public static readonly MimoError RemoteUploadFailed = new(
        "MIMO601", MimoExitCode.Failed,
        "The backup '{0}' could not be copied to '{1}': {2}.",
        "The backup itself is complete and verified in the backup folder; fix access to MimoRemote (credentials, network, bucket or container), and the next backup uploads what is missing.");

    public static readonly MimoError RemoteProviderMissing = new(
        "MIMO602", MimoExitCode.BadUsage,
        "MimoRemote is '{0}', but the package {1}, which serves it, is not loaded by the app.",
        "Add <PackageReference Include=\"{1}\" /> (the same version as MimoBackup.EfCore) to the project that holds the DbContext, or unset MimoRemote.");

    public static readonly MimoError RemoteUnavailable = new(
        "MIMO603", MimoExitCode.Failed,
        "The remote store '{0}' could not be used: {1}.",
        "Check the credentials, the network, and that the bucket or container exists; nothing was changed.");

    public static readonly MimoError EncryptionKeyMissing = new(
        "MIMO604", MimoExitCode.BadUsage,
        "'{0}' is encrypted with the key {1}, and no encryption key is set.",
        "Set the environment variable MimoEncryptionKey, or MimoEncryptionKeyFile, to the key with that id; nothing was written.");

    public static readonly MimoError EncryptionKeyWrong = new(
        "MIMO605", MimoExitCode.Refused,
        "'{0}' is encrypted with the key {1}, but the key set has the id {2}.",
        "Set MimoEncryptionKey (or MimoEncryptionKeyFile) to the key with the id {1}; nothing was written.");

    public static readonly MimoError EncryptionKeyInvalid = new(
        "MIMO606", MimoExitCode.BadUsage,
        "The encryption key from {0} cannot be used: {1}.",
        "Give 32 random bytes as base64 or hex (openssl rand -base64 32) in the environment variable MimoEncryptionKey or in the file MimoEncryptionKeyFile names, never in a project file.");

    /// <summary>Every code, in order: the README lists exactly these.</summary>
    public static IReadOnlyList<MimoError> All { get; } =
    [
        InvalidSetting, SettingsFileUnreadable, UseMimoBackupBeforeProvider, ServicesMissing, ServicesBeforeProvider, BackupFolderNotWritable, DiskFull, DatabaseLocked,
        SnapshotFailed, VerificationFailed, NotASqliteDatabase, AuditLogUnwritable, Cancelled,
        StaleMigrationLock, SchemaAheadOfHistory, DestructiveMigrationRefused, DropRefused, RehearsalFailed,
        InvalidBackupName, BackupNotFound, RestoreSourceRejected, RestoreLocked, RestoreMismatch, BackupCheckFailed, NoDatabase,
        ContextNotCreated, BadCommandUsage, NotBuilt, Unexpected, TerminalLoggerHidesReport, NotExecutable, RestorePageSizeMismatch, DiskFullDatabaseUnchanged, BuildFailed, MirrorFailed, NotifyFailed, PruneDeleteFailed,
        ExportUnwritable, ImportMalformed, ImportFormatVersion, ImportMigrationMismatch, ImportUnknownTable, ImportValueRejected,
        ImportForeignKeyViolated, ImportFileUnreadable, ExportSourceUnreadable, ImportFailed,
        RemoteUploadFailed, RemoteProviderMissing, RemoteUnavailable, EncryptionKeyMissing, EncryptionKeyWrong, EncryptionKeyInvalid,
    ];
}
