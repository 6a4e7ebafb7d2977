using System.Text.Json;
using System.Text.Json.Serialization;

namespace MimoBackup.EfCore.Engine;

/// <summary>The migrations around a pre-migration backup.</summary>
internal sealed record MigrationFacts(
    IReadOnlyList<string> Applied,
    string? Target,
    string Direction,
    IReadOnlyList<string> Pending,
    IReadOnlyList<string> Destructive);

/// <summary>Who took the backup: the app, its DbContext and the versions involved.</summary>
internal sealed record OriginFacts(
    string? ContextType,
    string? AppAssembly,
    string? AppVersion,
    string? EfCoreVersion,
    string PackageVersion,
    string Machine,
    string User);

internal sealed record SidecarSource(string Path, long SizeBytes, string SqliteVersion, long PageSize, long PageCount, string JournalMode);

internal sealed record SidecarVerification(string Method, string Result, bool Passed, DateTimeOffset VerifiedUtc, long DurationMs);

/// <summary>
/// The <c>.meta.json</c> written beside every backup, last: a backup without one is incomplete and is never
/// offered as a restore point.
/// </summary>
internal sealed record BackupSidecar
{
    public const int CurrentFormatVersion = 1;
    public const string Suffix = ".meta.json";

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required string Kind { get; init; }
    public string? Name { get; init; }
    public required string File { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    public required SidecarSource Source { get; init; }
    public required long SizeBytes { get; init; }
    public required string Sha256 { get; init; }
    public required SidecarVerification Verification { get; init; }
    public required IReadOnlyList<TableCensus> Tables { get; init; }
    public MigrationFacts? Migrations { get; init; }
    public required OriginFacts Origin { get; init; }
    public bool Pinned { get; init; }

    [JsonIgnore]
    public DatabaseCensus Census => new(Tables);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static BackupSidecar Load(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return JsonSerializer.Deserialize<BackupSidecar>(stream, Json)
            ?? throw new JsonException($"'{path}' holds no sidecar.");
    }
}
