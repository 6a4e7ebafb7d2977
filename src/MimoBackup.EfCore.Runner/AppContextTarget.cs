using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Design.Internal;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Runner;

/// <summary>
/// Finds the database the way dotnet-ef does: loads the app assembly and lets EF's own design-time code create
/// the DbContext (IDesignTimeDbContextFactory, the app's host builder, or a parameterless constructor), so
/// appsettings.json and environment variables count exactly as they do for <c>dotnet ef</c>.
/// </summary>
internal static class AppContextTarget
{
    private const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";

    public static CommandTarget Create(RunnerArguments arguments, ICommandOutput output)
    {
        var assemblyPath = Path.GetFullPath(arguments.AppAssembly!);
        if (!File.Exists(assemblyPath))
        {
            throw new MimoBackupException(MimoError.NotBuilt, assemblyPath);
        }

        var appBase = Path.GetDirectoryName(assemblyPath)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(appBase, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };

        var app = AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(Path.GetFileNameWithoutExtension(assemblyPath)));

        // dotnet-ef's --project: the DbContext's own assembly, loaded from the startup project's output.
        var contextAssembly = arguments.ContextAssembly is { } other
            ? AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(Path.GetFileNameWithoutExtension(other)))
            : app;
        using var context = CreateContext(contextAssembly, app, arguments, output);
        if (context.Database.ProviderName != SqliteProvider)
        {
            throw new MimoBackupException(MimoError.NoDatabase, $"{context.GetType().Name} uses {context.Database.ProviderName}, and MimoBackup only handles SQLite");
        }

        var connectionString = context.Database.GetConnectionString();
        var database = arguments.Database is { } overridden
            ? Path.GetFullPath(overridden)
            : DatabaseLocation.FromConnectionString(connectionString, Directory.GetCurrentDirectory()).Path
                ?? throw new MimoBackupException(MimoError.NoDatabase, $"{context.GetType().Name} uses an in-memory database");

        var code = context.GetService<IDbContextOptions>().FindExtension<MimoBackupOptionsExtension>()?.Settings;
        var settings = MimoSettings.FromProcess([context.GetType().Assembly, app], code);
        var busyTimeout = TimeSpan.FromSeconds(new SqliteConnectionStringBuilder(connectionString).DefaultTimeout);
        var all = context.GetService<IMigrationsAssembly>().Migrations.Keys.ToList();
        var applied = AppliedMigrations(database, BackupMigrator.HistoryTable(context), busyTimeout, output);
        var pending = applied is null ? null : all.Except(applied, StringComparer.Ordinal).ToList();
        return new CommandTarget(database, settings, busyTimeout, BackupMigrator.Origin(context), applied, pending)
        {
            OpenContext = () => CreateContext(contextAssembly, app, arguments, output),
            HistoryTable = BackupMigrator.HistoryTable(context),
        };
    }

    private static DbContext CreateContext(Assembly contextAssembly, Assembly app, RunnerArguments arguments, ICommandOutput output)
    {
        var reporter = new OperationReporter(new OperationReportHandler(
            error => output.Warning(error),
            warning => output.Warning(warning),
            _ => { },
            _ => { }));
        var projectFile = arguments.ContextProject ?? arguments.ProjectFile;
        var projectDirectory = projectFile is { } project ? Path.GetDirectoryName(Path.GetFullPath(project))! : Directory.GetCurrentDirectory();
        try
        {
            var operations = new DbContextOperations(
                reporter, contextAssembly, app, projectFile ?? projectDirectory, projectDirectory, arguments.RootNamespace, "C#", nullable: true, args: []);
            return operations.CreateContext(arguments.Context);
        }
        catch (Exception e) when (e is OperationException or InvalidOperationException or TargetInvocationException or ArgumentException)
        {
            throw new MimoBackupException(MimoError.ContextNotCreated, e, (e.InnerException ?? e).Message.TrimEnd('.'));
        }
    }

    /// <summary>Read from the file itself, so that the <c>MimoDatabase</c> override and a damaged database are both handled.</summary>
    private static List<string>? AppliedMigrations(string database, string historyTable, TimeSpan busyTimeout, ICommandOutput output)
    {
        if (!File.Exists(database) || new FileInfo(database).Length == 0)
        {
            return [];
        }

        try
        {
            using var connection = SqliteFacts.OpenUnpooled(database, busyTimeout);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = $table";
            command.Parameters.AddWithValue("$table", historyTable);
            if ((long)command.ExecuteScalar()! == 0)
            {
                return [];
            }

            command.CommandText = $"SELECT MigrationId FROM {SqliteFacts.Quote(historyTable)} ORDER BY MigrationId";
            using var reader = command.ExecuteReader();
            var applied = new List<string>();
            while (reader.Read())
            {
                applied.Add(reader.GetString(0));
            }

            return applied;
        }
        catch (SqliteException e)
        {
            output.Warning($"{ReportText.Prefix}the migration history of {database} cannot be read: {e.Message}");
            return null;
        }
    }
}
