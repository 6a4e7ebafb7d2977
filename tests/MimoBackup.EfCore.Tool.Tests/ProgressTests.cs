using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tool.Tests;

/// <summary>
/// The tool's progress: a bar redrawn in place on a terminal, a line per quarter when standard error is redirected,
/// nothing for work done within a second or reported after the command, and the runner's progress lines drawn the same
/// way as in-process work. Time is a manual clock: nothing here waits, so nothing depends on how busy the machine is.
/// </summary>
public sealed class ProgressTests
{
    private static readonly TimeSpan PastTheFirstSecond = TimeSpan.FromMilliseconds(1100);

    [Fact]
    public void The_terminal_line_is_a_bar_with_the_share_done_and_what_it_counts()
    {
        Assert.Equal("[############------------]  50% backing up app.db (64.0 MiB of 128.0 MiB) 2.5 s",
            ToolOutput.ProgressLine("backing up app.db", 64L << 20, 128L << 20, WorkUnit.Bytes, TimeSpan.FromSeconds(2.5), 0));
        Assert.Equal("[########################] 100% importing notes.json (20,000 of 20,000 rows) 1.0 s",
            ToolOutput.ProgressLine("importing notes.json", 20_000, 20_000, WorkUnit.Rows, TimeSpan.FromSeconds(1), 0));
        Assert.Equal("/ verifying b.db (integrity check)… 3.0 s",
            ToolOutput.ProgressLine("verifying b.db (integrity check)", 0, 0, WorkUnit.Bytes, TimeSpan.FromSeconds(3), 1));
    }

    [Fact]
    public void A_line_too_wide_for_the_terminal_shortens_the_activity_and_keeps_the_numbers()
    {
        var activity = "backing up " + new string('x', 120) + ".db";

        var fitted = ToolOutput.FittedProgressLine(activity, 1, 2, WorkUnit.Bytes, TimeSpan.FromSeconds(4), 0, width: 80);

        Assert.Equal(79, fitted.Length);
        Assert.StartsWith("[############------------]  50% backing up xxx", fitted, StringComparison.Ordinal);
        Assert.EndsWith("… (1 B of 2 B) 4.0 s", fitted, StringComparison.Ordinal);
        Assert.Equal("[#", ToolOutput.FittedProgressLine("a", 1, 2, WorkUnit.Bytes, TimeSpan.Zero, 0, width: 3));
    }

    [Fact]
    public void Redirected_it_prints_a_plain_line_at_each_quarter_once_the_work_takes_over_a_second()
    {
        var (output, error, tool, clock) = Create(terminal: false);
        tool.Begin("backup");
        tool.Report("backing up app.db", 10, 100, WorkUnit.Bytes);
        clock.Advance(PastTheFirstSecond);
        for (var done = 20; done <= 100; done += 10)
        {
            tool.Report("backing up app.db", done, 100, WorkUnit.Bytes);
        }

        tool.Report("exporting app.db", 4096, 4096, WorkUnit.Rows);
        tool.Report("copying \u001b[31mred.db", 1, 1, WorkUnit.Bytes);
        tool.Finish("backup", 0);
        tool.Report("late", 1, 1, WorkUnit.Bytes);

        Assert.Equal(
            [
                "backing up app.db: 25% (30 B of 100 B)", "backing up app.db: 50% (50 B of 100 B)", "backing up app.db: 75% (80 B of 100 B)",
                "backing up app.db: 100% (100 B of 100 B)", "exporting app.db: 100% (4,096 of 4,096 rows)", "copying ?[31mred.db: 100% (1 B of 1 B)",
            ],
            error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("\r", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void Work_done_within_a_second_prints_no_progress_and_nothing_is_drawn_after_the_command()
    {
        foreach (var terminal in new[] { false, true })
        {
            var (_, error, tool, clock) = Create(terminal);
            tool.Begin("backup");
            for (var done = 0; done <= 100; done += 5)
            {
                tool.Report("backing up app.db", done, 100, WorkUnit.Bytes);
                clock.Advance(TimeSpan.FromMilliseconds(40));
            }

            tool.Finish("backup", 0);
            tool.Report("verifying app.db", 1, 2, WorkUnit.Bytes); // a hash that outlived its failed check
            clock.Advance(TimeSpan.FromSeconds(5));
            Assert.Empty(error.ToString());
        }
    }

    [Fact]
    public void On_a_terminal_the_bar_is_redrawn_in_place_erased_before_every_line_and_gone_at_the_end()
    {
        var (output, error, tool, clock) = Create(terminal: true);
        tool.Begin("backup");
        tool.Report("backing up app.db", 50, 100, WorkUnit.Bytes);
        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Empty(error.ToString());

        clock.Advance(TimeSpan.FromMilliseconds(100)); // one second: the first drawing
        tool.Warning(default, "warn: something");
        tool.Report("backing up app.db", 75, 100, WorkUnit.Bytes);
        clock.Advance(TimeSpan.FromMilliseconds(125)); // the next redraw
        tool.Finish("backup", 0);

        Assert.Equal(
            "\r\u001b[2K[############------------]  50% backing up app.db (50 B of 100 B) 1.0 s"
            + "\r\u001b[2Kwarn: something" + Environment.NewLine
            + "\r\u001b[2K[##################------]  75% backing up app.db (75 B of 100 B) 1.1 s"
            + "\r\u001b[2K",
            error.ToString());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void The_runners_progress_lines_are_drawn_and_never_printed_as_lines()
    {
        var (output, error, tool, clock) = Create(terminal: false);
        tool.Begin("export");
        clock.Advance(PastTheFirstSecond);
        ProjectRun.Relay("progress:Rows:5000:10000:exporting app.db", tool);
        ProjectRun.Relay("info:Mimo: exported app.db", tool);
        ProjectRun.Relay("progress:not-a-unit:1:2:odd", tool);
        tool.Finish("export", 0);

        Assert.Equal("exporting app.db: 50% (5,000 of 10,000 rows)", error.ToString().Trim());
        Assert.Equal("Mimo: exported app.db", output.ToString().Trim());
    }

    [Fact]
    public void The_runner_writes_progress_for_the_tool_only_at_most_ten_a_second_and_always_the_end()
    {
        var forTargets = new StringWriter();
        var forTool = new StringWriter();
        var targets = new Runner.ProtocolOutput(forTargets);
        var tool = new Runner.ProtocolOutput(forTool) { ReportsProgress = true };
        for (var done = 1; done <= 1000; done++)
        {
            targets.Report("backing up app.db", done, 1000, WorkUnit.Bytes);
            tool.Report("backing up app.db", done, 1000, WorkUnit.Bytes);
        }

        for (var done = 1; done <= 1000; done++)
        {
            tool.Report("uploading b.db", done, 0, WorkUnit.Bytes); // a length the store did not say
        }

        Assert.Empty(forTargets.ToString());
        var lines = forTool.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var backingUp = lines.Where(l => l.EndsWith(":backing up app.db", StringComparison.Ordinal)).ToList();
        Assert.InRange(backingUp.Count, 2, 20);
        Assert.Equal("progress:Bytes:1:1000:backing up app.db", backingUp[0]);
        Assert.Equal("progress:Bytes:1000:1000:backing up app.db", backingUp[^1]);
        Assert.InRange(lines.Count(l => l.EndsWith(":uploading b.db", StringComparison.Ordinal)), 1, 20);

        // What the tool draws from them: the last one, as its bar.
        var (_, error, output, clock) = Create(terminal: true);
        output.Begin("backup");
        foreach (var line in backingUp)
        {
            ProjectRun.Relay(line, output);
        }

        clock.Advance(PastTheFirstSecond);
        output.Finish("backup", 0);
        Assert.Contains("[########################] 100% backing up app.db (1000 B of 1000 B)", error.ToString(), StringComparison.Ordinal);
    }

    private static (StringWriter Output, StringWriter Error, ToolOutput Tool, ManualClock Clock) Create(bool terminal)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = new ManualClock();
        var context = new ToolContext(output, error, Path.GetTempPath(), _ => null) { ErrorIsTerminal = terminal, Clock = clock };
        return (output, error, new ToolOutput(context, json: false, noColor: true, verbose: false), clock);
    }
}
