using System.Security.Cryptography;
using System.Text;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// The key of <c>MimoEncryptionKey</c>: 32 bytes, given as base64 or hex in the environment variable or in the file
/// <c>MimoEncryptionKeyFile</c> names. Its <see cref="Id"/> (derived, one-way) is what sidecars, messages and the audit
/// log name; the key itself is never shown.
/// </summary>
internal sealed class EncryptionKey
{
    public const int Length = 32;

    private EncryptionKey(byte[] material, string origin)
    {
        Material = material;
        Origin = origin;
        using var hmac = new HMACSHA256(material);
        Id = Convert.ToHexStringLower(hmac.ComputeHash(Encoding.ASCII.GetBytes("MimoBackup key id")), 0, 8);
    }

    /// <summary>The key, for the cipher only.</summary>
    internal byte[] Material { get; }

    /// <summary>16 hex digits that name the key without revealing it.</summary>
    public string Id { get; }

    /// <summary>Where the key came from (the variable's name or the file's path), for messages.</summary>
    public string Origin { get; }

    public override string ToString() => "key " + Id;

    /// <summary>
    /// The key from the environment variable's value, else from the key file, else null (no encryption). MIMO606 when
    /// either is given but is not 32 bytes of base64 or hex, or the file cannot be read.
    /// </summary>
    public static EncryptionKey? From(string? value, string? keyFile)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return Parse(value, "the environment variable MimoEncryptionKey");
        }

        if (string.IsNullOrWhiteSpace(keyFile))
        {
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new MimoBackupException(MimoError.EncryptionKeyInvalid, e, $"the file '{keyFile}' (MimoEncryptionKeyFile)", "it cannot be read: " + e.Message.TrimEnd('.'));
        }

        return Parse(text, $"the file '{keyFile}' (MimoEncryptionKeyFile)");
    }

    /// <summary>A key from its text (base64 or hex of 32 bytes); the text never appears in the error.</summary>
    public static EncryptionKey Parse(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        byte[]? material = null;
        if (trimmed.Length == Length * 2 && trimmed.All(char.IsAsciiHexDigit))
        {
            material = Convert.FromHexString(trimmed);
        }
        else
        {
            var buffer = new byte[trimmed.Length];
            if (Convert.TryFromBase64String(trimmed, buffer, out var written) && written == Length)
            {
                material = buffer[..Length];
            }
        }

        return material is null
            ? throw new MimoBackupException(MimoError.EncryptionKeyInvalid, origin, $"it is not 32 bytes of base64 or hex ({trimmed.Length} characters)")
            : new EncryptionKey(material, origin);
    }

    /// <summary>A new random key as base64, what a user puts in MimoEncryptionKey.</summary>
    public static string NewKeyText() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(Length));
}
