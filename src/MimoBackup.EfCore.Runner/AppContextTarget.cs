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
        if (ReadsBackupsOnly.Contains(arguments.Verb, StringComparer.Ordinal) && FromOptions(context, arguments, app, contextAssembly, output) is { } light)
        {
            return light;
        }

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

    /// <summary>
    /// The verbs that read the backups only: they need the database's file and the settings, not its migrations, so the
    /// context is created as dotnet-ef creates it but EF's internal services (built on the first query, most of a cold
    /// start's time) are never built: the file and the settings are read from the context's options.
    /// </summary>
    private static readonly string[] ReadsBackupsOnly = ["list", "verify", "prune"];

    /// <summary>The target from the context's options alone; null when they cannot be read that way (the full path then decides).</summary>
    private static CommandTarget? FromOptions(DbContext context, RunnerArguments arguments, Assembly app, Assembly contextAssembly, ICommandOutput output)
    {
        // DbContext keeps the options it was configured with; OnConfiguring has run once the constructor and factory returned.
        if (typeof(DbContext).GetField("_options", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(context) is not IDbContextOptions options
            || options.Extensions.FirstOrDefault(e => e.Info.IsDatabaseProvider) is not RelationalOptionsExtension relational
            || relational.GetType().Assembly.GetName().Name != SqliteProvider)
        {
            return null;
        }

        var connectionString = relational.ConnectionString ?? relational.Connection?.ConnectionString;
        var database = arguments.Database is { } overridden
            ? Path.GetFullPath(overridden)
            : DatabaseLocation.FromConnectionString(connectionString, Directory.GetCurrentDirectory()).Path;
        if (database is null)
        {
            return null;
        }

        var settings = MimoSettings.FromProcess([context.GetType().Assembly, app], options.FindExtension<MimoBackupOptionsExtension>()?.Settings);
        return new CommandTarget(database, settings, TimeSpan.FromSeconds(new SqliteConnectionStringBuilder(connectionString).DefaultTimeout), BackupMigrator.Origin(context), null, null)
        {
            OpenContext = () => CreateContext(contextAssembly, app, arguments, output),
            HistoryTable = relational.MigrationsHistoryTableName ?? HistoryRepository.DefaultTableName,
        };
    }

    private static DbContext CreateContext(Assembly contextAssembly, Assembly app, RunnerArguments arguments, ICommandOutput output)
    {
        if (FromTheOneFactory(contextAssembly, app, arguments.Context) is { } fromFactory)
        {
            return fromFactory;
        }

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

    /// <summary>
    /// EF's design-time code takes a context's <see cref="IDesignTimeDbContextFactory{TContext}"/> over every other way
    /// of creating it. When the app has one DbContext type and one factory of it (or <c>--context</c> names the factory's),
    /// the result is that factory's context either way, so it is called directly: EF's discovery first starts the app's
    /// host (running its entry point) and builds its services, most of a cold command's half second.
    /// </summary>
    private static DbContext? FromTheOneFactory(Assembly contextAssembly, Assembly app, string? name)
    {
        try
        {
            Assembly[] assemblies = contextAssembly == app ? [app] : [app, contextAssembly];
            var types = assemblies.SelectMany(a => a.GetTypes()).Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }).ToList();
            var factories = types
                .SelectMany(t => t.GetInterfaces()
                    .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDesignTimeDbContextFactory<>))
                    .Select(i => (Factory: t, Context: i.GetGenericArguments()[0])))
                .Where(f => f.Factory.GetConstructor(Type.EmptyTypes) is not null)
                .ToList();
            var contexts = types.Where(t => typeof(DbContext).IsAssignableFrom(t)).ToList();
            var chosen = name is null
                ? factories.Count == 1 && contexts.Count == 1 && contexts[0] == factories[0].Context ? factories : []
                : factories.Where(f => string.Equals(f.Context.Name, name, StringComparison.Ordinal) || string.Equals(f.Context.FullName, name, StringComparison.Ordinal)).ToList();
            if (chosen is not [var one])
            {
                return null;
            }

            var factory = Activator.CreateInstance(one.Factory)!;
            return (DbContext?)one.Factory.GetInterfaceMap(typeof(IDesignTimeDbContextFactory<>).MakeGenericType(one.Context)).TargetMethods[0].Invoke(factory, [Array.Empty<string>()]);
        }
        catch (ReflectionTypeLoadException)
        {
            // Types that cannot be loaded: EF's own discovery decides, and says why.
            return null;
        }
        catch (TargetInvocationException e)
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
