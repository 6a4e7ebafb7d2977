namespace MimoBackup.EfCore.Engine;

/// <summary>The outcome of a restore drill: whether the backup would come back whole, and what was checked.</summary>
internal sealed record RestoreDrillResult(bool Passed, string Detail);

/// <summary>
/// <c>verify --restore-test</c> (<c>-p:MimoRestoreTest=true</c>): restores a backup into a temporary database the way a
/// restore copies it (SQLite's online backup API), then checks that copy as the live database would be checked: SQLite
/// header and integrity, the rows and columns of the sidecar, and a migration history that is a prefix of the app's
/// migrations, so the app could migrate it forward. The live database is never touched.
/// </summary>
internal static class RestoreDrill
{
    /// <summary>
    /// Drills <paramref name="backupPath"/> in <paramref name="scratchFolder"/>; <paramref name="appMigrations"/> are the
    /// app's migration ids in order (null: no app to compare with, the history is not judged).
    /// </summary>
    public static RestoreDrillResult Run(
        string backupPath,
        BackupSidecar sidecar,
        IReadOnlyList<string>? appMigrations,
        string historyTable,
        string scratchFolder,
        TimeSpan busyTimeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        var source = BackupCheck.Run(backupPath, sidecar, MimoVerification.Full, cancellationToken);
        if (!source.Passed)
        {
            return new RestoreDrillResult(false, "the backup itself: " + source.Detail);
        }

        Directory.CreateDirectory(scratchFolder);
        var restored = BackupWriter.TemporaryPath(scratchFolder, "restore-test");
        try
        {
            SqliteSnapshot.Copy(backupPath, restored, busyTimeout, cancellationToken);
            var check = BackupVerifier.Verify(restored, MimoVerification.Full, cancellationToken);
            if (!check.Passed)
            {
                return new RestoreDrillResult(false, $"the restored copy: {check.Method} said {check.Result}");
            }

            var losses = DatabaseRestore.Differences(sidecar.Census, check.Census);
            if (losses.Count > 0)
            {
                return new RestoreDrillResult(false, "the restored copy's rows differ from the backup's: " + string.Join("; ", losses));
            }

            var rows = check.Census.TotalRows;
            var history = DatabaseContent.AppliedMigrations(restored, busyTimeout, historyTable).Order(StringComparer.Ordinal).ToList();
            if (appMigrations is null)
            {
                return new RestoreDrillResult(true, $"restored into a temporary database: integrity_check ok, {DataChangeReport.Plural(rows, "row")} as in the sidecar, {DataChangeReport.Plural(history.Count, "migration")} in its history");
            }

            var unknown = history.Where(m => !appMigrations.Contains(m, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                return new RestoreDrillResult(false, $"its migration history has {string.Join(", ", unknown.Take(3))}{(unknown.Count > 3 ? ", …" : "")}, which the app does not have: the app could not migrate it");
            }

            if (!history.SequenceEqual(appMigrations.Take(history.Count), StringComparer.Ordinal))
            {
                var gap = appMigrations.Take(history.Count).First(m => !history.Contains(m, StringComparer.Ordinal));
                return new RestoreDrillResult(false, $"its migration history skips {gap}: it is not a prefix of the app's migrations");
            }

            return new RestoreDrillResult(true, $"restored into a temporary database: integrity_check ok, {DataChangeReport.Plural(rows, "row")} as in the sidecar, "
                + $"migration history {history.Count} of the app's {appMigrations.Count} (a prefix: the app can migrate it forward)");
        }
        finally
        {
            foreach (var file in new[] { restored, restored + "-journal", restored + "-wal", restored + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
