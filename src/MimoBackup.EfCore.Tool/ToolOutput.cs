using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Tool;

/// <summary>
/// Where every line of a command goes, whether the command ran in-process or in the runner: results on standard output,
/// warnings and errors (each once, with its MIMO code) on standard error. With <c>--json</c> standard output gets one
/// JSON document only: the command's own (list, plan) or an object holding its lines, warnings and errors. Work that
/// takes longer than a second shows its progress on standard error: on a terminal a bar redrawn in place (a spinner
/// when the length is not known), otherwise a plain line at each quarter.
/// </summary>
internal sealed class ToolOutput : ICommandOutput, IWorkProgress, IDisposable
{
    private const int BarWidth = 24;
    private static readonly TimeSpan ProgressAfter = TimeSpan.FromSeconds(1);
    private static readonly string[] Spinner = ["|", "/", "-", "\\"];

    private readonly ToolContext _context;
    private readonly bool _json;
    private readonly bool _color;
    private readonly bool _verbose;
    private readonly Lock _lock = new();

    // The numbers of the progress line: taken by the engine's threads, never held while writing (see Report).
    private readonly Lock _progressLock = new();
    private readonly TimeProvider _clock;
    private readonly JsonArray _lines = [];
    private readonly JsonArray _warnings = [];
    private readonly JsonArray _errors = [];
    private string? _payload;
    private ITimer? _timer;
    private string? _activity;
    private long _started;
    private bool _finished;
    private int _frame;
    private bool _progressShown;
    private long _done;
    private long _total;
    private WorkUnit _unit;
    private int _quarterPrinted;

    public ToolOutput(ToolContext context, bool json, bool noColor, bool verbose)
    {
        _context = context;
        _clock = context.Clock;
        _started = _clock.GetTimestamp();
        _json = json;
        _color = context.ColorAllowed && !noColor;
        _verbose = verbose;
    }

    /// <summary>How many errors were printed: a failure that printed none gets one of its own.</summary>
    public int ErrorCount { get; private set; }

    public void Information(Microsoft.Extensions.Logging.EventId id, string line)
    {
        lock (_lock)
        {
            if (!_json)
            {
                Write(_context.Output, line, null);
            }
            else if (_payload is null && IsJsonObject(line))
            {
                _payload = line;
            }
            else
            {
                _lines.Add(line);
            }
        }
    }

    public void Warning(Microsoft.Extensions.Logging.EventId id, string line)
    {
        lock (_lock)
        {
            Write(_context.Error, line, "\u001b[33m");
            _warnings.Add(line);
        }
    }

    public void Error(MimoBackupException error) => Error(error.Error.Code, (int)error.ExitCode, error.Message);

    /// <summary>An error line: <c>error MIMO203: …</c> on standard error, once.</summary>
    public void Error(string code, int exitCode, string message)
    {
        var text = message.StartsWith(code + ": ", StringComparison.Ordinal) ? message[(code.Length + 2)..] : message;
        lock (_lock)
        {
            ErrorCount++;
            Write(_context.Error, $"error {code}: {text}", "\u001b[31m");
            _errors.Add(new JsonObject { ["code"] = code, ["exitCode"] = exitCode, ["message"] = text });
        }
    }

    /// <summary>Lines of what the tool starts (the build, the app's own output): on standard error, only with <c>--verbose</c>.</summary>
    public void Detail(string line)
    {
        if (_verbose)
        {
            lock (_lock)
            {
                Write(_context.Error, line, null);
            }
        }
    }

    /// <summary>Lines that explain a failure (a failed build's output): on standard error always.</summary>
    public void Explain(string line)
    {
        lock (_lock)
        {
            Write(_context.Error, line, null);
        }
    }

    /// <summary>Shows "<paramref name="activity"/>… 1.2 s" on a terminal once the work takes longer than a second.</summary>
    public void Begin(string activity)
    {
        lock (_progressLock)
        {
            _started = _clock.GetTimestamp();
            Switch(activity);
            StartTimer();
        }
    }

    /// <summary>
    /// How far the engine's work is (a backup's pages, a hash's bytes, an export's rows). On a terminal this only keeps
    /// the numbers, which the timer draws: the engine's thread never waits on a slow or stopped terminal while it holds
    /// a database's locks.
    /// </summary>
    public void Report(string activity, long done, long total, WorkUnit unit)
    {
        string? line = null;
        lock (_progressLock)
        {
            if (_finished)
            {
                return; // a report from work that outlived the command (a hash whose check failed) draws nothing
            }

            if (!string.Equals(activity, _activity, StringComparison.Ordinal) || done < _done)
            {
                Switch(activity); // another piece of work, or the same one again (a restore's second copy)
            }

            (_done, _total, _unit) = (done, total, unit);
            StartTimer();
            if (!_context.ErrorIsTerminal && total > 0 && _clock.GetElapsedTime(_started) >= ProgressAfter)
            {
                // Redirected: a line at each quarter passed, never a redrawn line a log file would fill with.
                var quarter = (int)Math.Min(4, done * 4 / total);
                if (quarter > _quarterPrinted)
                {
                    _quarterPrinted = quarter;
                    line = $"{Printable(activity)}: {quarter * 25}% ({Amount(done, total, unit)})";
                }
            }
        }

        if (line is not null)
        {
            lock (_lock)
            {
                Write(_context.Error, line, null);
            }
        }
    }

    /// <summary>The end of the command: with <c>--json</c>, its one document on standard output.</summary>
    public void Finish(string verb, int exitCode)
    {
        lock (_lock)
        {
            StopProgress();
            if (_json)
            {
                var document = _payload ?? new JsonObject
                {
                    ["verb"] = verb,
                    ["exitCode"] = exitCode,
                    ["lines"] = _lines.DeepClone(),
                    ["warnings"] = _warnings.DeepClone(),
                    ["errors"] = _errors.DeepClone(),
                }.ToJsonString(CommandJson.Plain);
                _context.Output.WriteLine(document);
            }

            _context.Output.Flush();
            _context.Error.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            StopProgress();
        }
    }

    /// <summary>Draws the progress line: the timer's work, a second after the start and eight times a second after that.</summary>
    internal void Tick()
    {
        string line;
        lock (_progressLock)
        {
            if (_timer is null || _activity is null)
            {
                return;
            }

            line = FittedProgressLine(Printable(_activity), _done, _total, _unit, _clock.GetElapsedTime(_started), _frame++, _context.ErrorWidth);
        }

        lock (_lock)
        {
            if (_finished)
            {
                return; // the command ended while the line was made
            }

            _progressShown = true;
            _context.Error.Write("\r\u001b[2K" + line);
            _context.Error.Flush();
        }
    }

    /// <summary>
    /// The progress line cut to the terminal's width, the activity first: a line that wraps would leave a stale copy
    /// above itself at every redraw.
    /// </summary>
    internal static string FittedProgressLine(string activity, long done, long total, WorkUnit unit, TimeSpan elapsed, int frame, int width)
    {
        var line = ProgressLine(activity, done, total, unit, elapsed, frame);
        var excess = line.Length - (width - 1);
        if (excess > 0 && activity.Length > excess + 1)
        {
            line = ProgressLine(activity[..(activity.Length - excess - 1)] + "…", done, total, unit, elapsed, frame);
        }

        return line.Length < width ? line : line[..Math.Max(1, width - 1)];
    }

    /// <summary>The terminal's progress line: a bar with the share done, or a spinner when the length is not known.</summary>
    internal static string ProgressLine(string activity, long done, long total, WorkUnit unit, TimeSpan elapsed, int frame)
    {
        var seconds = elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        if (total <= 0)
        {
            return $"{Spinner[frame % Spinner.Length]} {activity}… {seconds}";
        }

        var share = Math.Clamp((double)done / total, 0, 1);
        var filled = (int)(share * BarWidth);
        var bar = new string('#', filled) + new string('-', BarWidth - filled);
        var percent = ((int)(share * 100)).ToString(CultureInfo.InvariantCulture).PadLeft(3);
        return $"[{bar}] {percent}% {activity} ({Amount(done, total, unit)}) {seconds}";
    }

    private static string Amount(long done, long total, WorkUnit unit)
        => unit == WorkUnit.Rows
            ? string.Create(CultureInfo.InvariantCulture, $"{done:N0} of {total:N0} rows")
            : $"{ReportText.Size(done)} of {ReportText.Size(total)}";

    /// <summary>A file or object name as the terminal should show it: control characters (escape sequences) as '?'.</summary>
    private static string Printable(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = char.IsControl(source[i]) ? '?' : source[i];
        }
    });

    private void Switch(string activity)
    {
        (_activity, _done, _total, _quarterPrinted) = (activity, 0, 0, 0);
    }

    private void StartTimer()
    {
        if (_context.ErrorIsTerminal && _timer is null && !_finished)
        {
            var wait = ProgressAfter - _clock.GetElapsedTime(_started);
            _timer = _clock.CreateTimer(_ => Tick(), null, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, TimeSpan.FromMilliseconds(125));
        }
    }

    /// <summary>Ends the progress for good (the command is over), and erases a drawn line. Called under <c>_lock</c>.</summary>
    private void StopProgress()
    {
        ITimer? timer;
        lock (_progressLock)
        {
            _finished = true;
            (timer, _timer) = (_timer, null);
        }

        timer?.Dispose();
        ClearProgress();
    }

    private void ClearProgress()
    {
        if (_progressShown)
        {
            _context.Error.Write("\r\u001b[2K");
            _progressShown = false;
        }
    }

    private void Write(TextWriter writer, string line, string? color)
    {
        // The progress line is erased before any line and drawn again at the next tick, so lines are never torn.
        ClearProgress();
        writer.WriteLine(_color && color is not null ? color + line + "\u001b[0m" : line);
        writer.Flush();
    }

    private static bool IsJsonObject(string line)
    {
        if (!line.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
