using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Commands;

/// <summary>The JSON the commands print.</summary>
internal static class CommandJson
{
    /// <summary>JSON as a reader expects it: '+' and non-ASCII names stay as they are.</summary>
    internal static readonly JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>-p:MimoOutput</c>: <c>table</c> (the default) or <c>json</c>; MIMO001 for anything else.</summary>
    internal static string Format(CommandOptions options)
    {
        var format = options["Output"] ?? "table";
        return format is "json" or "table" ? format : throw new MimoBackupException(MimoError.InvalidSetting, "MimoOutput", format, "'table' or 'json'");
    }

    /// <summary>A folder's catalog with each entry's retention decision, as <c>-p:MimoOutput=json</c> prints it.</summary>
    internal static JsonObject Catalog(CommandTarget target, string folder, IReadOnlyList<CatalogEntry> catalog, Func<CatalogEntry, RetentionDecision?> retention)
    {
        var backups = new JsonArray();
        foreach (var e in catalog)
        {
            backups.Add(new JsonObject
            {
                ["name"] = e.FileName,
                ["path"] = e.Path,
                ["createdUtc"] = e.CreatedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["createdLocal"] = e.CreatedUtc.ToLocalTime().ToString("O", CultureInfo.InvariantCulture),
                ["kind"] = e.Kind,
                ["sizeBytes"] = e.SizeBytes,
                ["lastMigration"] = e.LastMigration,
                ["complete"] = e.State == CatalogState.Complete,
                ["verified"] = e.Verified,
                ["failedCheck"] = e.FailedCheck,
                ["pinned"] = e.Pinned,
                ["sha256"] = e.Sidecar?.Sha256,
                ["problem"] = e.Problem,
                ["retention"] = retention(e) is { } decision ? new JsonObject { ["keep"] = decision.Keep, ["reason"] = decision.Reason } : null,
            });
        }

        return new JsonObject { ["database"] = target.DatabasePath, ["folder"] = folder, ["backups"] = backups };
    }
}
