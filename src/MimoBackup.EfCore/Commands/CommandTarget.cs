using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Commands;

/// <summary>Where a manual operation works: the database, its backup folder, the settings and who asks.</summary>
/// <remarks>
/// <c>Applied</c> and <c>Pending</c> are the database's migrations, known only when the app's DbContext is.
/// </remarks>
internal sealed record CommandTarget(
    string DatabasePath,
    MimoSettings Settings,
    TimeSpan BusyTimeout,
    OriginFacts Origin,
    IReadOnlyList<string>? Applied,
    IReadOnlyList<string>? Pending)
{
    public string BackupFolder => Settings.BackupFolderFor(DatabasePath);

    /// <summary>Creates the app's DbContext again, as dotnet-ef does; null for a target known only by its file.</summary>
    public Func<Microsoft.EntityFrameworkCore.DbContext>? OpenContext { get; init; }

    /// <summary>EF's history table of the app's DbContext.</summary>
    public string HistoryTable { get; init; } = ExportFormat.MigrationsHistory;

    /// <summary>Every migration the app has, in order; null for a target known only by its file.</summary>
    public IReadOnlyList<string>? AppMigrations => Applied is null ? null : [.. Applied.Concat(Pending ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public MigrationFacts? MigrationFacts => Applied is null ? null : new MigrationFacts(Applied, null, "none", Pending ?? [], []);

    /// <summary>A backup of this database of the given kind, with this target's settings and facts.</summary>
    public BackupRequest BackupRequest(string kind, TimeProvider clock, string? name = null, bool pinned = false) => new()
    {
        DatabasePath = DatabasePath,
        BackupFolder = BackupFolder,
        Kind = kind,
        Name = name,
        Pinned = pinned,
        Verify = Settings.Verify,
        BusyTimeout = BusyTimeout,
        Migrations = MigrationFacts,
        Origin = Origin,
        Clock = clock,
    };

    /// <summary>A target known only by its file: the <c>MimoDatabase</c> override without a DbContext.</summary>
    public static CommandTarget ForFile(string databasePath, MimoSettings settings)
        => new(
            Path.GetFullPath(databasePath),
            settings,
            TimeSpan.FromSeconds(30),
            new OriginFacts(null, null, null, null, Internal.BackupMigrator.VersionOf(typeof(CommandTarget).Assembly) ?? "unknown", Environment.MachineName, Environment.UserName),
            null,
            null);
}

/// <summary>The <c>-p:Mimo…</c> properties a target passed, by name without the prefix.</summary>
internal sealed class CommandOptions(IReadOnlyDictionary<string, string> values)
{
    public static CommandOptions Empty { get; } = new(new Dictionary<string, string>());

    public string? this[string name] => values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public bool Flag(string name)
        => this[name] is not { } value ? false : SettingDefinitions.Get("Mimo" + name).ParseBool(value);

    /// <summary>A number option, with the default and range of its entry in the settings table.</summary>
    public int Number(string name)
    {
        var definition = SettingDefinitions.Get("Mimo" + name);
        return this[name] is not { } value ? definition.DefaultInt : definition.ParseInt(value);
    }
}

/// <summary>Where a command's lines go: MSBuild messages through the runner, or a test's list.</summary>
internal interface ICommandOutput : IMimoOutput
{
    /// <summary>A command's own line: commands print to the runner's protocol, which carries no event ids.</summary>
    void Information(string line) => Information(default, line);

    /// <summary>A command's own warning line.</summary>
    void Warning(string line) => Warning(default, line);

    /// <summary>A failure that does not stop the command (one bad backup among many).</summary>
    void Error(MimoBackupException error);
}
