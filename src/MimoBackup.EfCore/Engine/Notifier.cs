using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// The events of <c>MimoNotifyOnBackup</c> and <c>MimoNotifyCommand</c>: one JSON object per backup, skip, refusal,
/// restore and prune, a one-line rendering of it for the output, and the command that receives it on standard input.
/// </summary>
internal static class Notifier
{
    public const string FailedAuditEvent = "notify-failed";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static JsonObject Backup(BackupResult backup, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(backup);
        var sidecar = backup.Sidecar;
        return Event("backup", now, sidecar.Source.Path, new JsonObject
        {
            ["backup"] = backup.Path,
            ["kind"] = sidecar.Kind,
            ["sizeBytes"] = sidecar.SizeBytes,
            ["sha256"] = sidecar.Sha256,
            ["verification"] = sidecar.Verification.Method + " " + sidecar.Verification.Result,
            ["durationMs"] = (long)backup.Duration.TotalMilliseconds,
            ["pinned"] = sidecar.Pinned,
        });
    }

    /// <param name="database">The database that was not backed up.</param>
    /// <param name="reason">Why, e.g. "MimoSkipBackup=true from the environment".</param>
    /// <param name="now">When.</param>
    public static JsonObject Skip(string database, string reason, DateTimeOffset now)
        => Event("skip", now, database, new JsonObject { ["reason"] = reason });

    public static JsonObject Refusal(string database, MimoBackupException refusal, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return Event("refusal", now, database, new JsonObject { ["code"] = refusal.Error.Code, ["message"] = refusal.Message });
    }

    /// <param name="database">The database that was restored.</param>
    /// <param name="from">The backup or file it was restored from.</param>
    /// <param name="preRestore">The backup of what it held before, if one was taken.</param>
    /// <param name="now">When.</param>
    public static JsonObject Restore(string database, string from, string? preRestore, DateTimeOffset now)
        => Event("restore", now, database, new JsonObject { ["from"] = from, ["preRestore"] = preRestore });

    public static JsonObject Prune(PruneResult result, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Event("prune", now, null, new JsonObject
        {
            ["folder"] = result.Folder,
            ["dryRun"] = result.DryRun,
            ["deleted"] = new JsonArray([.. result.Deleted.Select(d => (JsonNode)new JsonObject { ["name"] = d.Name, ["reason"] = d.Reason })]),
            ["kept"] = result.Kept.Count(),
            ["failed"] = result.Failed.Count,
        });
    }

    /// <summary>
    /// Runs <paramref name="command"/> through the shell (<c>/bin/sh -c</c>, <c>cmd /c</c> on Windows) with the event
    /// as JSON on its standard input. A command that cannot start, exits non-zero or outlives
    /// <paramref name="timeout"/> (its process tree is killed) is a MIMO402 warning, also written to
    /// <paramref name="audit"/>; it never fails the operation. No command: nothing happens.
    /// </summary>
    /// <returns>The warnings: none when the command succeeded or there is none.</returns>
    public static IReadOnlyList<MimoBackupException> Notify(JsonObject evt, string? command, AuditLog? audit, DateTimeOffset now, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (string.IsNullOrWhiteSpace(command))
        {
            return [];
        }

        var limit = timeout ?? DefaultTimeout;
        var reason = Run(command, Encoding.UTF8.GetBytes(evt.ToJsonString()), limit);
        if (reason is null)
        {
            return [];
        }

        var warnings = new List<MimoBackupException>
        {
            new(MimoError.NotifyFailed, command, reason, limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)),
        };
        try
        {
            audit?.Append(FailedAuditEvent, new JsonObject { ["command"] = command, ["for"] = evt["event"]?.DeepClone(), ["reason"] = reason }, now);
        }
        catch (MimoBackupException e)
        {
            warnings.Add(e);
        }

        return warnings;
    }

    /// <summary>Null when the command ran and exited 0; otherwise why not.</summary>
    private static string? Run(string command, byte[] input, TimeSpan timeout)
    {
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { Arguments = "/d /s /c \"" + command + "\"" }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } };
        start.UseShellExecute = false;
        start.CreateNoWindow = true;
        start.RedirectStandardInput = true;
        // The command's own output must not mix with the tool's output, which front-ends parse line by line.
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        // The encryption key is the package's secret, not the notify command's: it does not inherit it.
        start.Environment.Remove("MimoEncryptionKey");

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            return "it could not be started (" + e.Message.TrimEnd('.') + ")";
        }

        // Not awaited past the exit: a command that leaves a background child holding the pipes must not hang us.
        var errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var writing = Task.Run(() =>
        {
            try
            {
                process.StandardInput.BaseStream.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // A command that does not read its input is still a command that may succeed.
            }
        });

        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception)
            {
                // It ended between the timeout and the kill.
            }

            return "it did not finish within " + timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s and was stopped";
        }

        writing.Wait(TimeSpan.FromSeconds(1));
        if (process.ExitCode == 0)
        {
            return null;
        }

        var stderr = errors.Wait(TimeSpan.FromSeconds(1)) ? errors.Result.Trim() : string.Empty;
        if (stderr.Length > 300)
        {
            stderr = "…" + stderr[^300..];
        }

        return "it exited with code " + process.ExitCode.ToString(CultureInfo.InvariantCulture)
            + (stderr.Length == 0 ? string.Empty : " (" + stderr.ReplaceLineEndings(" ") + ")");
    }

    private static JsonObject Event(string name, DateTimeOffset now, string? database, JsonObject details)
    {
        var evt = new JsonObject
        {
            ["event"] = name,
            ["at"] = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["machine"] = Environment.MachineName,
        };
        if (database is not null)
        {
            evt["database"] = database;
        }

        foreach (var (key, value) in details.ToList())
        {
            details.Remove(key);
            evt[key] = value;
        }

        return evt;
    }
}
