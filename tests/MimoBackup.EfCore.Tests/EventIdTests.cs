using System.Reflection;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MimoBackup.EfCore.Tests;

/// <summary>Every line the package logs has the stable, documented event id of its kind, as EF's own lines do.</summary>
public sealed class EventIdTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    [Fact]
    public void Migrate_mirror_prune_and_drop_lines_each_have_their_own_event_id()
    {
        var blocked = _temp.File("blocked");
        File.WriteAllText(blocked, "a file, not a folder");
        var events = new List<(EventId Id, string Line)>();
        InternalProviderDbContext Context() => new(new DbContextOptionsBuilder<InternalProviderDbContext>()
            .UseSqlite("Data Source=" + Database)
            .UseMimoBackup(o => o.BackupDirectory(_temp.File("backups")).MirrorDirectory(Path.Combine(blocked, "mirror")))
            .UseLoggerFactory(LoggerFactory.Create(b => b.AddProvider(new EventCollector(events))))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning, CoreEventId.ManyServiceProvidersCreatedWarning))
            .Options);

        using (var context = Context())
        {
            context.Database.Migrate(RuntimeMigrations.First);
            context.Database.ExecuteSqlRaw("INSERT INTO Notes (Body) VALUES ('a'), ('b')");
            context.Database.Migrate();
            context.Database.EnsureDeleted();
        }

        var ours = events.Where(e => e.Line.StartsWith("Mimo:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ours);
        Assert.All(ours, e => Assert.True(e.Id.Id is >= 41000 and < 42000 && e.Id.Name!.StartsWith("MimoBackup.EfCore.", StringComparison.Ordinal), e.Id + " " + e.Line));
        EventId IdOf(string start) => ours.First(e => e.Line.StartsWith(start, StringComparison.Ordinal)).Id;
        Assert.Equal(MimoBackupEventId.NoBackupNeeded, ours.First(e => e.Line.Contains("does not exist yet", StringComparison.Ordinal)).Id);
        Assert.Equal(MimoBackupEventId.PlanReported, IdOf("Mimo: plan for"));
        Assert.Equal(MimoBackupEventId.BackupTaken, ours.First(e => e.Line.Contains("before it will apply", StringComparison.Ordinal)).Id);
        Assert.Equal(MimoBackupEventId.RehearsalStarting, IdOf("Mimo: rehearsing"));
        Assert.Equal(MimoBackupEventId.RehearsalCompleted, IdOf("Mimo: rehearsal passed"));
        Assert.Equal(MimoBackupEventId.DataChangesReported, IdOf("Mimo: after migrating"));
        Assert.Equal(MimoBackupEventId.MirrorFailed, IdOf("Mimo: MIMO401"));
        Assert.Equal(MimoBackupEventId.BackupsPruned, IdOf("Mimo: prune"));
        Assert.Equal(MimoBackupEventId.DropBackupTaken, ours.First(e => e.Line.Contains("before deleting", StringComparison.Ordinal)).Id);
    }

    [Fact]
    public void Event_ids_are_unique_and_the_readme_lists_each_with_its_number()
    {
        var ids = typeof(MimoBackupEventId).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (f.Name, Id: (EventId)f.GetValue(null)!)).ToList();
        Assert.Equal(ids.Count, ids.Select(i => i.Id.Id).Distinct().Count());
        var readme = File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "README.md"));
        Assert.All(ids, i => Assert.Contains($"| {i.Id.Id} | `{i.Name}` |", readme, StringComparison.Ordinal));
    }

    private sealed class EventCollector(List<(EventId Id, string Line)> events) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (events)
            {
                events.Add((eventId, formatter(state, exception)));
            }
        }

        public void Dispose()
        {
        }
    }
}
