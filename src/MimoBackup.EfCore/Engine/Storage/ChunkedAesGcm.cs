using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// Streaming authenticated encryption of a remote object: AES-256-GCM in chunks of 1 MiB under a key derived (HKDF-SHA256)
/// from the user's key, a random salt of the object and the object's name, so no nonce is ever used twice with one key
/// and an object moved to another name (an older backup put in a newer one's place) does not decrypt. The header names
/// the key's id; every chunk authenticates the header, its position and whether it is the last, so a reordered,
/// truncated, extended or altered object fails to decrypt instead of yielding other bytes.
/// </summary>
/// <remarks>
/// The name bound is the object's plain name (<c>x.db</c>, <c>x.db.meta.json</c>). Layout: <c>"MIMOAES1"</c>, chunk size as a power of two (1 byte), 3 zero bytes, key id (8 bytes), salt (32 bytes),
/// then chunks of ciphertext + 16-byte tag. Every chunk but the last holds a full chunk of plaintext; the last holds
/// less (possibly nothing), which is how a reader knows it is last.
/// </remarks>
internal static class ChunkedAesGcm
{
    public const int HeaderLength = 52;
    public const int TagLength = 16;
    private const int ChunkSizeLog2 = 20;
    private const int ChunkSize = 1 << ChunkSizeLog2;
    private static readonly byte[] Magic = "MIMOAES1"u8.ToArray();
    private static readonly byte[] KeyInfo = Encoding.ASCII.GetBytes("MimoBackup AES-256-GCM chunks v1");

    /// <summary>Whether <paramref name="start"/> (at least 8 bytes) begins an encrypted object.</summary>
    public static bool IsEncrypted(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    /// <summary>The key id an encrypted object's header names.</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> header) => Convert.ToHexStringLower(header.Slice(12, 8));

    /// <summary>The length of the ciphertext of <paramref name="plaintextLength"/> bytes.</summary>
    public static long CiphertextLength(long plaintextLength) => HeaderLength + plaintextLength + ((plaintextLength / ChunkSize) + 1) * TagLength;

    /// <summary>The plaintext length of a ciphertext of <paramref name="ciphertextLength"/> bytes (−1 when no ciphertext has it).</summary>
    public static long PlaintextLength(long ciphertextLength)
    {
        var body = ciphertextLength - HeaderLength;
        if (body < TagLength)
        {
            return -1;
        }

        var plaintext = body - (body / (ChunkSize + TagLength) + 1) * TagLength;
        return plaintext >= 0 && CiphertextLength(plaintext) == ciphertextLength ? plaintext : -1;
    }

    /// <summary>A stream that reads <paramref name="plaintext"/> and yields its ciphertext.</summary>
    public static Stream Encrypt(Stream plaintext, EncryptionKey key, string name) => new Encryptor(plaintext, key, name);

    /// <summary>
    /// A stream that reads the ciphertext <paramref name="ciphertext"/> and yields its plaintext; an
    /// <see cref="EncryptedObjectDamagedException"/> from the first chunk that does not authenticate. The header is
    /// read (and its key id checked: <see cref="EncryptionKeyMismatchException"/>) at once.
    /// </summary>
    public static Stream Decrypt(Stream ciphertext, EncryptionKey key, string location, string name) => new Decryptor(ciphertext, key, location, name);

    private static byte[] FileKey(EncryptionKey key, ReadOnlySpan<byte> salt, string name)
        => HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Material, 32, salt.ToArray(), [.. KeyInfo, 0, .. Encoding.UTF8.GetBytes(name)]);

    private static void Nonce(Span<byte> nonce, long chunk)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], chunk);
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> header, bool last)
    {
        var data = new byte[HeaderLength + 1];
        header.CopyTo(data);
        data[HeaderLength] = last ? (byte)1 : (byte)0;
        return data;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends.</summary>
    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length && stream.Read(buffer[total..]) is var read and > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>Base of the two directions: hands out one transformed chunk at a time.</summary>
    private abstract class ChunkStream : ForwardReadStream
    {
        private byte[] pending = [];
        private int offset;

        public override int Read(Span<byte> buffer)
        {
            while (offset == pending.Length)
            {
                if (NextChunk() is not { } next)
                {
                    return 0;
                }

                (pending, offset) = (next, 0);
            }

            var count = Math.Min(buffer.Length, pending.Length - offset);
            pending.AsSpan(offset, count).CopyTo(buffer);
            offset += count;
            return count;
        }

        /// <summary>The next transformed bytes, or null at the end.</summary>
        protected abstract byte[]? NextChunk();
    }

    private sealed class Encryptor : ChunkStream
    {
        private readonly Stream plaintext;
        private readonly AesGcm cipher;
        private readonly byte[] header = new byte[HeaderLength];
        private readonly byte[] chunk = new byte[ChunkSize];
        private long index = -1;
        private bool done;

        public Encryptor(Stream plaintext, EncryptionKey key, string name)
        {
            this.plaintext = plaintext;
            Magic.CopyTo(header, 0);
            header[8] = ChunkSizeLog2;
            Convert.FromHexString(key.Id).CopyTo(header, 12);
            RandomNumberGenerator.Fill(header.AsSpan(20, 32));
            cipher = new AesGcm(FileKey(key, header.AsSpan(20, 32), name), TagLength);
        }

        protected override byte[]? NextChunk()
        {
            if (index < 0)
            {
                index = 0;
                return header;
            }

            if (done)
            {
                return null;
            }

            var read = ReadFully(plaintext, chunk);
            done = read < ChunkSize;
            var sealedChunk = new byte[read + TagLength];
            Span<byte> nonce = stackalloc byte[12];
            Nonce(nonce, index++);
            cipher.Encrypt(nonce, chunk.AsSpan(0, read), sealedChunk.AsSpan(0, read), sealedChunk.AsSpan(read), AssociatedData(header, done));
            return sealedChunk;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                cipher.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class Decryptor : ChunkStream
    {
        private readonly Stream ciphertext;
        private readonly string location;
        private readonly AesGcm cipher;
        private readonly byte[] header = new byte[HeaderLength];
        private readonly byte[] chunk;
        private long index;
        private bool done;

        public Decryptor(Stream ciphertext, EncryptionKey key, string location, string name)
        {
            this.ciphertext = ciphertext;
            this.location = location;
            if (ReadFully(ciphertext, header) < HeaderLength || !IsEncrypted(header) || header[8] is < 10 or > 26)
            {
                throw new EncryptedObjectDamagedException(location, "its encryption header is missing or damaged");
            }

            if (KeyIdOf(header) is var id && id != key.Id)
            {
                throw new EncryptionKeyMismatchException(location, id, key.Id);
            }

            chunk = new byte[(1 << header[8]) + TagLength];
            cipher = new AesGcm(FileKey(key, header.AsSpan(20, 32), name), TagLength);
        }

        protected override byte[]? NextChunk()
        {
            if (done)
            {
                return null;
            }

            var read = ReadFully(ciphertext, chunk);
            var last = read < chunk.Length;
            if (read < TagLength)
            {
                throw new EncryptedObjectDamagedException(location, "it is truncated");
            }

            var plain = new byte[read - TagLength];
            Span<byte> nonce = stackalloc byte[12];
            Nonce(nonce, index++);
            try
            {
                cipher.Decrypt(nonce, chunk.AsSpan(0, plain.Length), chunk.AsSpan(plain.Length, TagLength), plain, AssociatedData(header, last));
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new EncryptedObjectDamagedException(location, $"chunk {index - 1} does not authenticate: the object was altered, truncated or not written with this key");
            }

            done = last;
            return plain;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                cipher.Dispose();
                ciphertext.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>An encrypted object that does not decrypt: damaged, truncated, or altered.</summary>
internal sealed class EncryptedObjectDamagedException(string location, string reason)
    : IOException($"'{location}' cannot be decrypted: {reason}");

/// <summary>An object encrypted with another key than the one set (<see cref="KeyId"/> names it): nothing was decrypted.</summary>
internal sealed class EncryptionKeyMismatchException(string location, string keyId, string? setKeyId)
    : IOException(setKeyId is null
        ? $"'{location}' is encrypted with the key {keyId}, and no encryption key is set"
        : $"'{location}' is encrypted with the key {keyId}, but the key set has the id {setKeyId}")
{
    public string Location { get; } = location;

    public string KeyId { get; } = keyId;

    /// <summary>The id of the key that is set, or null when none is.</summary>
    public string? SetKeyId { get; } = setKeyId;

    /// <summary>The MIMO error of this case: MIMO604 without a key, MIMO605 with another.</summary>
    public MimoBackupException ToMimo()
        => SetKeyId is null
            ? new MimoBackupException(MimoError.EncryptionKeyMissing, this, Location, KeyId)
            : new MimoBackupException(MimoError.EncryptionKeyWrong, this, Location, KeyId, SetKeyId);
}
