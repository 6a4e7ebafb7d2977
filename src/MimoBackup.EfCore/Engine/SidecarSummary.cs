using System.Text.Json;

namespace MimoBackup.EfCore.Engine;

/// <summary>The few sidecar fields retention needs, read without building the whole sidecar.</summary>
internal readonly record struct SidecarSummary(DateTimeOffset CreatedUtc, bool Pinned, bool Passed, long SizeBytes, string? AppVersion, string? Source = null)
{
    /// <summary>Larger than any sidecar Mimo writes: a file this big is not read as one.</summary>
    public const long MaxLength = 64 * 1024 * 1024;

    /// <summary>
    /// The summary of a sidecar's bytes, null when they lack the creation time or are damaged. An edited sidecar's
    /// "passed" (<paramref name="checksumMatches"/> false) is not believed: it never counts as the newest verified backup.
    /// </summary>
    public static SidecarSummary? TryParse(ReadOnlySpan<byte> json, bool? checksumMatches)
    {
        try
        {
            var summary = Parse(json);
            return summary is { } s && checksumMatches == false ? s with { Passed = false } : summary;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    public static SidecarSummary? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        DateTimeOffset? created = null;
        bool pinned = false, passed = false;
        long size = -1;
        string? appVersion = null, source = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("createdUtc"u8))
            {
                reader.Read();
                created = reader.GetDateTimeOffset();
            }
            else if (reader.ValueTextEquals("pinned"u8))
            {
                reader.Read();
                pinned = reader.GetBoolean();
            }
            else if (reader.ValueTextEquals("sizeBytes"u8))
            {
                reader.Read();
                size = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("verification"u8))
            {
                passed = ReadMember(ref reader, "passed"u8).TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("origin"u8))
            {
                var version = ReadMember(ref reader, "appVersion"u8);
                appVersion = version.TokenType == JsonTokenType.String ? version.Text : null;
            }
            else if (reader.ValueTextEquals("source"u8))
            {
                var path = ReadMember(ref reader, "path"u8);
                source = path.TokenType == JsonTokenType.String ? path.Text : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return created is { } at && reader.TokenType == JsonTokenType.EndObject
            ? new SidecarSummary(at, pinned, passed, size, appVersion, source)
            : null;
    }

    /// <summary>Reads the object that follows the current property and returns one primitive member of it.</summary>
    private static (JsonTokenType TokenType, string? Text) ReadMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (JsonTokenType.None, null);
        }

        (JsonTokenType, string?) found = (JsonTokenType.None, null);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                found = (reader.TokenType, reader.TokenType == JsonTokenType.String ? reader.GetString() : null);
            }

            reader.Skip();
        }

        return found;
    }
}
