using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;

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
    /// <summary>Version 2 added <see cref="Checksum"/>; version 1 sidecars are read as before, unchecked.</summary>
    public const int CurrentFormatVersion = 2;
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

    /// <summary>What the rehearsal of the update this backup was taken for found (SPEC §10), once it has run.</summary>
    public System.Text.Json.Nodes.JsonObject? Rehearsal { get; init; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the sidecar's own bytes with this value written as 64 zeros: any edit of the file,
    /// one flipped byte or a <c>"passed": false</c>, fails it. Declared last so that it is the file's last member.
    /// </summary>
    public string? Checksum { get; init; }

    [JsonIgnore]
    public DatabaseCensus Census => new(Tables);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly string Blank = new('0', 64);

    /// <summary>The sidecar's bytes, its checksum filled in.</summary>
    public byte[] ToUtf8()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(this with { FormatVersion = CurrentFormatVersion, Checksum = Blank }, Json);
        var at = ChecksumAt(bytes) ?? throw new InvalidOperationException("The sidecar's checksum member was not written last.");
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Encoding.ASCII.GetBytes(hash, bytes.AsSpan(at, 64));
        return bytes;
    }

    /// <summary>
    /// Reads a sidecar; one whose checksum does not match its bytes (or a version 2 one without a checksum) throws
    /// <see cref="SidecarChangedException"/>, which names the file.
    /// </summary>
    public static BackupSidecar Load(string path)
    {
        var bytes = System.IO.File.ReadAllBytes(path);
        return Parse(bytes, path, ChecksumMatches(bytes));
    }

    /// <summary>
    /// <see cref="Load"/> of bytes already read from <paramref name="path"/> (named in messages), whose
    /// <see cref="ChecksumMatches"/> is <paramref name="checksumMatches"/>.
    /// </summary>
    internal static BackupSidecar Parse(byte[] bytes, string path, bool? checksumMatches)
    {
        var sidecar = JsonSerializer.Deserialize<BackupSidecar>(bytes, Json)
            ?? throw new JsonException($"'{path}' holds no sidecar.");
        if (checksumMatches == false || (checksumMatches is null && (sidecar.FormatVersion >= 2 || sidecar.Checksum is not null)))
        {
            throw new SidecarChangedException(
                $"its sidecar {System.IO.Path.GetFileName(path)} was changed after it was written (its checksum does not match its content)");
        }

        return sidecar;
    }

    /// <summary>Null when the bytes carry no checksum member (a version 1 sidecar); else whether it matches them.</summary>
    internal static bool? ChecksumMatches(ReadOnlySpan<byte> json)
    {
        if (json.LastIndexOf("\"checksum\""u8) < 0)
        {
            return null;
        }

        if (ChecksumAt(json) is not { } at)
        {
            return false;
        }

        var copy = json.ToArray();
        copy.AsSpan(at, 64).Fill((byte)'0');
        Span<byte> hex = stackalloc byte[64];
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(copy)), hex);
        return hex.SequenceEqual(json.Slice(at, 64));
    }

    /// <summary>Where the 64 characters of the last <c>"checksum": "…"</c> member start, if it has that shape.</summary>
    private static int? ChecksumAt(ReadOnlySpan<byte> json)
    {
        var key = json.LastIndexOf("\"checksum\""u8);
        if (key < 0)
        {
            return null;
        }

        var i = key + "\"checksum\""u8.Length;
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)':')
        {
            i++;
        }

        return i + 65 < json.Length && json[i] == '"' && json[i + 65] == '"' ? i + 1 : null;
    }
}

/// <summary>A sidecar that was edited after it was written: never a restore point, never verified.</summary>
internal sealed class SidecarChangedException(string message) : JsonException(message)
{
}
