using System.Text;
using System.Text.Json.Nodes;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// <c>audit.jsonl</c> in the backup folder: one JSON line per backup, skip, refusal and report, append-only.
/// </summary>
internal sealed class AuditLog(string folder)
{
    public const string FileName = "audit.jsonl";

    public string Path { get; } = System.IO.Path.Combine(folder, FileName);

    public void Append(string eventName, JsonObject details, DateTimeOffset now)
    {
        var line = new JsonObject { ["at"] = now.UtcDateTime.ToString("O"), ["event"] = eventName };
        foreach (var (key, value) in details.ToList())
        {
            details.Remove(key);
            line[key] = value;
        }

        try
        {
            BackupFolder.Prepare(folder);
            // One write() of a whole line with O_APPEND: concurrent writers never interleave inside a line.
            var bytes = Encoding.UTF8.GetBytes(line.ToJsonString() + "\n");
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(Path, options);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MimoBackupException(MimoError.AuditLogUnwritable, e, Path, e.Message);
        }
    }

    /// <summary>Every line of the log, oldest first; lines that are not JSON objects are passed over.</summary>
    public IEnumerable<JsonObject> Read()
    {
        if (!File.Exists(Path))
        {
            yield break;
        }

        foreach (var text in File.ReadLines(Path))
        {
            JsonObject? line = null;
            try
            {
                line = JsonNode.Parse(text) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                // A torn last line after a crash must not hide the rest of the record.
            }

            if (line is not null)
            {
                yield return line;
            }
        }
    }
}
