namespace MimoBackup.EfCore.Tool;

/// <summary>
/// What the tool reads from and writes to outside its arguments — the console, the folder it was started in and the
/// environment — in one place, so that tests run the whole command line in-process with their own.
/// </summary>
internal sealed class ToolContext(TextWriter output, TextWriter error, string currentDirectory, Func<string, string?> environment)
{
    /// <summary>Standard output: results (tables, JSON) only.</summary>
    public TextWriter Output { get; } = output;

    /// <summary>Standard error: warnings, errors, build output and progress.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>The folder the command was typed in: typed paths are relative to it, printed ones are made for it.</summary>
    public string CurrentDirectory { get; } = Path.GetFullPath(currentDirectory);

    public Func<string, string?> Environment { get; } = environment;

    /// <summary>Whether standard error is a terminal: progress is drawn only there, plain lines otherwise.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>How many columns a line on the terminal has: the progress line is cut to fit.</summary>
    public int ErrorWidth { get; init; } = 80;

    /// <summary>The clock of the progress line's one-second wait and its redraws.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Whether colours may be used on standard error (a terminal, and no <c>NO_COLOR</c>).</summary>
    public bool ColorAllowed { get; init; }

    public static ToolContext FromProcess()
        => new(Console.Out, Console.Error, Directory.GetCurrentDirectory(), System.Environment.GetEnvironmentVariable)
        {
            ErrorIsTerminal = !Console.IsErrorRedirected,
            ErrorWidth = TerminalWidth(),
            ColorAllowed = !Console.IsErrorRedirected && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("NO_COLOR")),
        };

    private static int TerminalWidth()
    {
        try
        {
            return Console.IsErrorRedirected || Console.WindowWidth < 20 ? 80 : Console.WindowWidth;
        }
        catch (IOException)
        {
            return 80; // no console to ask
        }
    }
}
