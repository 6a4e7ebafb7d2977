using System.Diagnostics;
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
    private readonly JsonArray _lines = [];
    private readonly JsonArray _warnings = [];
    private readonly JsonArray _errors = [];
    private string? _payload;
    private Timer? _timer;
    private string? _activity;
    private Stopwatch _elapsed = new();
    private int _frame;
    private bool _progressShown;
    private long _done;
    private long _total;
    private WorkUnit _unit;
    private int _quarterPrinted;

    public ToolOutput(ToolContext context, bool json, bool noColor, bool verbose)
    {
        _context = context;
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
        lock (_lock)
        {
            _elapsed = Stopwatch.StartNew();
            Switch(activity);
            StartTimer();
        }
    }

    /// <summary>How far the engine's work is (a backup's pages, a hash's bytes, an export's rows).</summary>
    public void Report(string activity, long done, long total, WorkUnit unit)
    {
        lock (_lock)
        {
            if (!string.Equals(activity, _activity, StringComparison.Ordinal))
            {
                Switch(activity);
            }

            (_done, _total, _unit) = (done, total, unit);
            StartTimer();
            if (!_context.ErrorIsTerminal && total > 0 && _elapsed.Elapsed >= ProgressAfter)
            {
                // Redirected: a line at each quarter passed, never a redrawn line a log file would fill with.
                var quarter = (int)Math.Min(3, done * 4 / total);
                if (quarter > _quarterPrinted)
                {
                    _quarterPrinted = quarter;
                    _context.Error.WriteLine($"{activity}: {quarter * 25}% ({Amount(done, total, unit)})");
                    _context.Error.Flush();
                }
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
        lock (_lock)
        {
            if (_timer is null || _activity is null)
            {
                return;
            }

            _progressShown = true;
            _context.Error.Write("\r\u001b[2K" + ProgressLine(_activity, _done, _total, _unit, _elapsed.Elapsed, _frame++));
            _context.Error.Flush();
        }
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

    private void Switch(string activity)
    {
        (_activity, _done, _total, _quarterPrinted) = (activity, 0, 0, 0);
    }

    private void StartTimer()
    {
        if (_context.ErrorIsTerminal && _timer is null)
        {
            var wait = ProgressAfter - _elapsed.Elapsed;
            _timer = new Timer(_ => Tick(), null, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, TimeSpan.FromMilliseconds(125));
        }
    }

    private void StopProgress()
    {
        _timer?.Dispose();
        _timer = null;
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
