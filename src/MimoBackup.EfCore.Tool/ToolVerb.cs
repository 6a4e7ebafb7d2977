using System.CommandLine;

namespace MimoBackup.EfCore.Tool;

/// <summary>
/// One verb of <c>dotnet mimo</c>: a System.CommandLine command whose own arguments and options each fill one command
/// option of the package (the <c>-p:Mimo…</c> property of the MSBuild targets, named without <c>Mimo</c>).
/// </summary>
internal sealed class ToolVerb
{
    private readonly List<(string Option, Func<ParseResult, string?> Read)> _bindings = [];

    private ToolVerb(string name, string description, bool printsJson)
    {
        Command = new Command(name, description);
        PrintsJson = printsJson;
    }

    public Command Command { get; }

    public string Name => Command.Name;

    /// <summary>The command prints its own JSON with <c>MimoOutput=json</c>; the others' lines are wrapped in one object.</summary>
    public bool PrintsJson { get; }

    /// <summary>The verbs, in the order of the package's <c>ManualCommands.Verbs</c>.</summary>
    public static IReadOnlyList<ToolVerb> All() =>
    [
        new ToolVerb("backup", "Take a verified backup of the database now.", false)
            .Text("--name", "BackupName", "Name the backup (1-64 letters, digits, '-', '_' or '.'), e.g. before-major-change.")
            .Flag("--pin", "Pin", "Pin the backup: retention never deletes it."),
        new ToolVerb("list", "List the backups with their verification and what the next prune decides for each.", true)
            .Source(),
        new ToolVerb("restore", "Restore a backup (or any SQLite file) into the database; the current content is backed up first.", false)
            .Argument("backup-or-file", "RestoreFrom", "A backup's name or file name, or the path of a SQLite file.", required: true)
            .Source(),
        new ToolVerb("verify", "Check one backup, or all of them, again: SHA-256, integrity check and row counts.", true)
            .Argument("name", "BackupName", "The backup to check; all of them when left out.", required: false)
            .Flag("--restore-test", "RestoreTest", "A restore drill: restore the newest verified backup (or the one named) into a temporary database and check it there.")
            .Source(),
        new ToolVerb("status", "The database, its migrations and backups, and what needs attention.", true)
            .Text("--max-backup-age-days", "MaxBackupAgeDays", "Warn when the newest verified backup is older than this (default 7).")
            .Flag("--checkpoint", "Checkpoint", "Run PRAGMA wal_checkpoint(TRUNCATE) on a large WAL."),
        new ToolVerb("prune", "Apply the retention policy to the backup folder, the mirror and the remote.", false)
            .Flag("--dry-run", "DryRun", "Show every decision with its reason, delete nothing.")
            .Source(),
        new ToolVerb("export", "Export every table to one JSON file.", false)
            .Argument("file", "ExportFile", "The JSON file to write.", required: true),
        new ToolVerb("import", "Load a JSON export into the database at the same migration, after a verified pre-import backup.", false)
            .Argument("file", "ImportFile", "The JSON file written by export.", required: true)
            .Flag("--dry-run", "DryRun", "Check everything an import checks, then roll it back: nothing changes, no backup is taken."),
        new ToolVerb("plan", "What the next 'dotnet ef database update' would change, rehearsed on a copy; nothing is migrated.", true),
    ];

    /// <summary>The command options this verb's arguments and options were given.</summary>
    public Dictionary<string, string> Options(ParseResult result)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (option, read) in _bindings)
        {
            if (read(result) is { Length: > 0 } value)
            {
                options[option] = value;
            }
        }

        return options;
    }

    private ToolVerb Argument(string name, string option, string description, bool required)
    {
        var argument = new Argument<string>(name) { Description = description, Arity = required ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne };
        Command.Arguments.Add(argument);
        _bindings.Add((option, r => r.GetValue(argument)));
        return this;
    }

    private ToolVerb Text(string name, string option, string description)
    {
        var text = new Option<string>(name) { Description = description };
        Command.Options.Add(text);
        _bindings.Add((option, r => r.GetValue(text)));
        return this;
    }

    private ToolVerb Flag(string name, string option, string description)
    {
        var flag = new Option<bool>(name) { Description = description };
        Command.Options.Add(flag);
        _bindings.Add((option, r => r.GetValue(flag) ? "true" : null));
        return this;
    }

    private ToolVerb Source()
    {
        var source = new Option<string>("--source") { Description = "Which store to read: backup (the default), mirror or remote.", HelpName = "backup|mirror|remote" };
        source.CompletionSources.Add("backup", "mirror", "remote");
        Command.Options.Add(source);
        _bindings.Add(("Source", r => r.GetValue(source)));
        return this;
    }
}
