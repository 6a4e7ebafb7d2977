namespace MimoBackup.EfCore.Engine;

/// <summary>What a piece of work counts.</summary>
internal enum WorkUnit
{
    Bytes,
    Rows,
}

/// <summary>Where long work says how far it is: the tool's progress bar. A total of 0 means the length is not known.</summary>
internal interface IWorkProgress
{
    void Report(string activity, long done, long total, WorkUnit unit);
}

/// <summary>
/// The progress sink of the command running on this flow of control. Only the tool's front-ends set one, so the
/// automatic backup under dotnet-ef and the MSBuild targets, whose output is a log, never get progress lines; the
/// engine reports without knowing who listens (as <see cref="System.Diagnostics.Activity.Current"/> works).
/// </summary>
internal static class WorkProgress
{
    private static readonly AsyncLocal<IWorkProgress?> CurrentSink = new();

    /// <summary>Reports to <paramref name="sink"/> (to none for null) until the result is disposed.</summary>
    public static IDisposable Use(IWorkProgress? sink)
    {
        var previous = CurrentSink.Value;
        CurrentSink.Value = sink;
        return new PreviousSink(previous);
    }

    public static void Report(string activity, long done, long total, WorkUnit unit = WorkUnit.Bytes)
    {
        if (CurrentSink.Value is not { } sink)
        {
            return;
        }

        try
        {
            sink.Report(activity, done, total, unit);
        }
#pragma warning disable CA1031 // Progress is a courtesy: a sink that fails (a closed pipe) must never fail the backup it watches.
        catch (Exception)
#pragma warning restore CA1031
        {
            CurrentSink.Value = null;
        }
    }

    /// <summary>Work whose length is not known (an integrity check): a spinner with the time it has taken.</summary>
    public static void Report(string activity) => Report(activity, 0, 0);

    private sealed class PreviousSink(IWorkProgress? previous) : IDisposable
    {
        public void Dispose() => CurrentSink.Value = previous;
    }
}

/// <summary>Counts the rows of one piece of work and reports the running total.</summary>
internal sealed class WorkCounter(string activity, long total)
{
    private long _done;

    public void Add(long count) => WorkProgress.Report(activity, _done += count, total, WorkUnit.Rows);
}
