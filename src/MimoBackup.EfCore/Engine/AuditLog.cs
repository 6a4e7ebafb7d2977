using System.Text.Json.Nodes;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// <c>audit.jsonl</c> in the backup folder: one JSON line per backup, skip, refusal and report, append-only.
/// </summary>
internal sealed class AuditLog(IBackupStore store)
{
    public const string FileName = "audit.jsonl";

    public AuditLog(string folder)
        : this(new LocalFolderStore(folder))
    {
    }

    /// <summary>Where the log is, for messages.</summary>
    public string Path { get; } = store.Locate(FileName);

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
            store.AppendAuditLine(line.ToJsonString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MimoBackupException(MimoError.AuditLogUnwritable, e, Path, e.Message);
        }
    }

    /// <summary>Every line of the log, oldest first; lines that are not JSON objects are passed over.</summary>
    public IEnumerable<JsonObject> Read()
        => store.ReadAuditLines().Select(ParseLine).OfType<JsonObject>();

    /// <summary>One line as a JSON object, or null: a torn last line after a crash must not hide the rest of the record.</summary>
    internal static JsonObject? ParseLine(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
