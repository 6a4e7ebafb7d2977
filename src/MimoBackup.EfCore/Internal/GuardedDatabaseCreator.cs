using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Migrations;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// Guards <c>EnsureDeleted()</c> — what <c>dotnet ef database drop</c> calls — on a SQLite database that holds
/// something: refused unless a fresh verified backup of it exists. Throw-away databases (missing, empty,
/// in memory) are never refused, so test suites that recreate them keep working.
/// </summary>
internal sealed class GuardedDatabaseCreator(IRelationalDatabaseCreator inner, ICurrentDbContext currentContext, IMimoOutput output)
    : IRelationalDatabaseCreator
{
    internal const string TakeBackupCommand = "dotnet msbuild -t:MimoBackup";

    public bool EnsureDeleted()
    {
        Guard();
        return inner.EnsureDeleted();
    }

    public Task<bool> EnsureDeletedAsync(CancellationToken cancellationToken = default)
    {
        Guard();
        return inner.EnsureDeletedAsync(cancellationToken);
    }

    public void Delete()
    {
        Guard();
        inner.Delete();
    }

    public Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        Guard();
        return inner.DeleteAsync(cancellationToken);
    }

    public bool EnsureCreated() => inner.EnsureCreated();

    public Task<bool> EnsureCreatedAsync(CancellationToken cancellationToken = default) => inner.EnsureCreatedAsync(cancellationToken);

    public bool CanConnect() => inner.CanConnect();

    public Task<bool> CanConnectAsync(CancellationToken cancellationToken = default) => inner.CanConnectAsync(cancellationToken);

    public bool Exists() => inner.Exists();

    public Task<bool> ExistsAsync(CancellationToken cancellationToken = default) => inner.ExistsAsync(cancellationToken);

    public bool HasTables() => inner.HasTables();

    public Task<bool> HasTablesAsync(CancellationToken cancellationToken = default) => inner.HasTablesAsync(cancellationToken);

    public void Create() => inner.Create();

    public Task CreateAsync(CancellationToken cancellationToken = default) => inner.CreateAsync(cancellationToken);

    public void CreateTables() => inner.CreateTables();

    public Task CreateTablesAsync(CancellationToken cancellationToken = default) => inner.CreateTablesAsync(cancellationToken);

    public string GenerateCreateScript() => inner.GenerateCreateScript();

    private void Guard()
    {
        var context = currentContext.Context;
        var settings = MimoSettings.FromProcess([context.GetType().Assembly, System.Reflection.Assembly.GetEntryAssembly()],
            context.GetService<IDbContextOptions>().FindExtension<MimoBackupOptionsExtension>()?.Settings);
        if (DatabaseLocation.FromConnectionString(context.Database.GetConnectionString(), Directory.GetCurrentDirectory()).Path is not { } database
            || !File.Exists(database))
        {
            return;
        }

        var folder = settings.BackupFolderFor(database);
        var now = DateTimeOffset.UtcNow;
        if (!settings.Enabled)
        {
            // Off means off, whatever the file holds (even a damaged one), but never silently: the drop is on the record.
            output.Warning($"Mimo: backups are off ({MimoSettings.EnabledName}=false): deleting {BackupMigrator.Display(database)} without a guard.");
            new AuditLog(folder).Append("disabled", new JsonObject { ["operation"] = "drop", ["database"] = database, ["context"] = context.GetType().FullName }, now);
            return;
        }

        if (DatabaseContent.HoldsNoRows(database, TimeSpan.FromSeconds(5), [BackupMigrator.HistoryTable(context), BackupMigrator.LockTable]))
        {
            return;
        }

        var answer = FreshBackups.Find(folder, database, TimeSpan.FromMinutes(settings.FreshBackupMinutes), now, TimeSpan.FromSeconds(5),
            [BackupMigrator.LockTable]);
        var fresh = answer.Backup;
        var audit = new AuditLog(folder);
        var size = BackupMigrator.Size(new FileInfo(database).Length);
        if (fresh is null)
        {
            if (answer.WhyNot is { } whyNot)
            {
                output.Warning($"Mimo: {whyNot}.");
            }

            var refusal = new MimoException(MimoError.DropRefused, database, size, settings.FreshBackupMinutes, folder, TakeBackupCommand);
            audit.Append("refusal", new JsonObject { ["operation"] = "drop", ["database"] = database, ["context"] = context.GetType().FullName }, now);
            new BackupAftercare(settings, folder, output).Publish(Notifier.Refusal(database, refusal, now), now);
            throw refusal;
        }

        var minutes = (now - fresh.Sidecar.CreatedUtc).TotalMinutes.ToString("0", CultureInfo.InvariantCulture);
        output.Warning($"Mimo: deleting {BackupMigrator.Display(database)} ({size}); {BackupMigrator.Display(fresh.Path)} ({minutes} min old) holds it.");
        audit.Append("drop", new JsonObject { ["database"] = database, ["coveredBy"] = fresh.Path, ["context"] = context.GetType().FullName }, now);
    }
}
