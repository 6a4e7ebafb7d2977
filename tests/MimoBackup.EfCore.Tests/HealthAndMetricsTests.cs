using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;
using MimoBackup.EfCore.HealthChecks;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// The health check in a real <see cref="WebApplication"/> on a loopback port, and the <c>MimoBackup</c> meter as a
/// listener sees it, on real SQLite files.
/// </summary>
public sealed class HealthAndMetricsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private string Backups => _temp.File("backups");

    private async Task<WebApplication> StartApp(Action<MimoBackupOptionsBuilder>? mimo = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<HealthContext>(o => o
            .UseSqlite("Data Source=" + Database)
            .UseMimoBackup(m =>
            {
                m.BackupDirectory(Backups);
                mimo?.Invoke(m);
            })
            .ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning)));
        builder.Services.AddHealthChecks()
            .AddMimoBackup<HealthContext>()
            .AddMimoBackup<HealthContext>(o => o.MaxBackupAge = TimeSpan.FromMilliseconds(1), name: "strict", tags: ["strict"]);
        var app = builder.Build();
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = r => !r.Tags.Contains("strict"), ResultStatusCodes = { [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded] = 200 } });
        app.MapHealthChecks("/health/strict", new HealthCheckOptions { Predicate = r => r.Tags.Contains("strict") });
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpStatusCode Status, string Body)> Get(WebApplication app, string path)
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private void Migrate(string? target = null)
    {
        // Each test has its own backup folder, so EF builds a service provider per test, as the other migrating tests do.
        using var context = new HealthContext(new DbContextOptionsBuilder<HealthContext>()
            .UseSqlite("Data Source=" + Database)
            .UseMimoBackup(m => m.BackupDirectory(Backups))
            .ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning))
            .Options);
        context.GetService<IMigrator>().Migrate(target);
    }

    [Fact]
    public async Task The_health_endpoint_is_unhealthy_without_a_backup_degraded_with_pending_migrations_healthy_after_and_unhealthy_when_the_newest_failed_or_is_too_old()
    {
        Migrate("20260101000000_Initial");
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "INSERT INTO Items (Id, Name) VALUES (1, 'one'), (2, 'two');");
        }

        await using var app = await StartApp();

        var none = await Get(app, "/health");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), none);

        var target = CommandTarget.ForFile(Database, new MimoSettings { BackupDir = Backups }) with { BusyTimeout = TimeSpan.FromSeconds(5) };
        Assert.Equal(MimoExitCode.Done, ManualCommands.Run("backup", target, new CommandOptions(new Dictionary<string, string>()), new RecordingOutput(), TimeProvider.System, CancellationToken.None));
        Assert.Equal((HttpStatusCode.OK, "Degraded"), await Get(app, "/health"));

        Migrate();
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await Get(app, "/health"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await Get(app, "/health/strict"));

        // The newest backup's bytes change on disk: its re-verification fails, and so does the health.
        var newest = Directory.GetFiles(Backups, "*.db").Order(StringComparer.Ordinal).Last();
        using (var file = File.Open(newest, FileMode.Open))
        {
            file.Position = file.Length - 10;
            file.WriteByte(0x5a);
        }

        Assert.Equal(MimoExitCode.VerificationFailed, ManualCommands.Run("verify", target, new CommandOptions(new Dictionary<string, string>()), new RecordingOutput(), TimeProvider.System, CancellationToken.None));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await Get(app, "/health"));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_remote_copy_that_is_missing_makes_the_health_unhealthy_and_says_why()
    {
        Migrate("20260101000000_Initial");
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "INSERT INTO Items (Id, Name) VALUES (1, 'one');");
        }

        Migrate();
        await using var app = await StartApp(m => m.Remote("s3://backups/app"));
        using var scope = app.Services.CreateScope();
        var report = await scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync(r => r.Name == "mimo-backup");

        var entry = report.Entries["mimo-backup"];
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("is not on s3://backups/app", entry.Description, StringComparison.Ordinal);
        Assert.Equal(Path.GetFileName(Directory.GetFiles(Backups, "*.db").Single()), entry.Data["newestVerified"]);
        await app.StopAsync();
    }

    [Fact]
    public void The_meter_records_each_backup_and_each_failed_verification_and_reports_the_newest_verified_age()
    {
        TempFolder.CreateNotes(Database, rows: 100);
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MimoBackupMeter.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            if (copy.GetValueOrDefault("db.namespace") as string == "app.db" && Directory.Exists(_temp.Path))
            {
                lock (measured)
                {
                    measured.Add((instrument.Name, value, copy));
                }
            }
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        var target = CommandTarget.ForFile(Database, new MimoSettings { BackupDir = Backups }) with { BusyTimeout = TimeSpan.FromSeconds(5) };

        Assert.Equal(MimoExitCode.Done, ManualCommands.Run("backup", target, new CommandOptions(new Dictionary<string, string>()), new RecordingOutput(), TimeProvider.System, CancellationToken.None));
        listener.RecordObservableInstruments();

        var size = new FileInfo(Directory.GetFiles(Backups, "*.db").Single()).Length;
        Assert.Contains(measured, m => m.Instrument == MimoBackupMeter.BackupDuration && m.Value > 0 && (string?)m.Tags["mimo.backup.kind"] == "backup" && (string?)m.Tags["db.system.name"] == "sqlite");
        Assert.Contains(measured, m => m.Instrument == MimoBackupMeter.BackupSize && (long)m.Value == size);
        Assert.Contains(measured, m => m.Instrument == MimoBackupMeter.NewestVerifiedAge && m.Value is >= 0 and < 60);

        var backup = Directory.GetFiles(Backups, "*.db").Single();
        using (var file = File.Open(backup, FileMode.Open))
        {
            file.Position = file.Length - 10;
            file.WriteByte(0x5a);
        }

        ManualCommands.Run("verify", target, new CommandOptions(new Dictionary<string, string>()), new RecordingOutput(), TimeProvider.System, CancellationToken.None);
        Assert.Contains(measured, m => m.Instrument == MimoBackupMeter.VerificationFailures && m.Value == 1 && (string?)m.Tags["mimo.backup.check"] == "verify");
    }
}

public sealed class HealthContext(DbContextOptions<HealthContext> options) : DbContext(options);

[DbContext(typeof(HealthContext))]
[Migration("20260101000000_Initial")]
public sealed class HealthInitial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("CREATE TABLE Items (Id INTEGER PRIMARY KEY, Name TEXT NOT NULL);");
}

[DbContext(typeof(HealthContext))]
[Migration("20260201000000_AddScore")]
public sealed class HealthAddScore : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("ALTER TABLE Items ADD COLUMN Score REAL;");
}
