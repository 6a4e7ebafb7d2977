using System.Buffers.Text;
using System.Buffers;
using System.Globalization;
using System.Text.Unicode;
using System.Text;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// Writes the export's JSON into one large buffer drained to the file. Hand-written rather than Utf8JsonWriter:
/// a string is escaped only where JSON requires it (quote, backslash, control characters), so the bytes of a
/// re-export never depend on the runtime's encoder tables; every row gets its own line; no cell allocates.
/// </summary>
internal sealed class ExportOutput(Stream stream) : IDisposable
{
    private const int Capacity = 1 << 20;
    private const int Base64Chunk = 3 << 16;

    private static readonly SearchValues<byte> Escaped = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(Capacity);
    private int _used;

    public long BytesWritten { get; private set; }

    public void Raw(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            var free = Free(1);
            var take = Math.Min(free.Length, utf8.Length);
            utf8[..take].CopyTo(free);
            _used += take;
            utf8 = utf8[take..];
        }
    }

    public void Append(byte value)
    {
        Free(1)[0] = value;
        _used++;
    }

    public void Integer(long value)
    {
        Utf8Formatter.TryFormat(value, Free(20), out var written);
        _used += written;
    }

    /// <summary>A finite real always has a '.' or an exponent, which is what tells it from an integer.</summary>
    public void Real(double value)
    {
        if (!double.IsFinite(value))
        {
            Raw(double.IsNaN(value) ? """{"r":"NaN"}"""u8 : value > 0 ? """{"r":"Infinity"}"""u8 : """{"r":"-Infinity"}"""u8);
            return;
        }

        var free = Free(32);
        value.TryFormat(free, out var written, "R", CultureInfo.InvariantCulture);
        if (free[..written].IndexOfAny((byte)'.', (byte)'E') < 0)
        {
            free[written++] = (byte)'.';
            free[written++] = (byte)'0';
        }

        _used += written;
    }

    /// <summary>Text as SQLite holds it: a JSON string when the bytes are UTF-8, otherwise their base64.</summary>
    public void Text(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            Quoted(bytes);
        }
        else
        {
            Raw("""{"t64":"""u8);
            Encoded(bytes);
            Append((byte)'}');
        }
    }

    public void Blob(ReadOnlySpan<byte> bytes)
    {
        Raw("""{"b":"""u8);
        Encoded(bytes);
        Append((byte)'}');
    }

    public void Quoted(string value) => Quoted(Encoding.UTF8.GetBytes(value));

    /// <summary>A JSON string of valid UTF-8.</summary>
    public void Quoted(ReadOnlySpan<byte> utf8)
    {
        Append((byte)'"');
        while (true)
        {
            var next = utf8.IndexOfAny(Escaped);
            Raw(next < 0 ? utf8 : utf8[..next]);
            if (next < 0)
            {
                break;
            }

            Escape(utf8[next]);
            utf8 = utf8[(next + 1)..];
        }

        Append((byte)'"');
    }

    public void Property(ReadOnlySpan<byte> name)
    {
        Append((byte)'"');
        Raw(name);
        Raw("\":"u8);
    }

    public void Flag(bool value) => Raw(value ? "true"u8 : "false"u8);

    /// <summary>Writes what is buffered and flushes the file to disk.</summary>
    public void Complete()
    {
        Drain();
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    private void Encoded(ReadOnlySpan<byte> bytes)
    {
        Append((byte)'"');
        while (!bytes.IsEmpty)
        {
            // Whole groups of three until the last chunk, so no chunk but the last is padded.
            var take = bytes.Length <= Base64Chunk ? bytes.Length : Base64Chunk;
            Base64.EncodeToUtf8(bytes[..take], Free(Base64.GetMaxEncodedToUtf8Length(take)), out _, out var written);
            _used += written;
            bytes = bytes[take..];
        }

        Append((byte)'"');
    }

    private void Escape(byte value)
    {
        var letter = value switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'\n' => (byte)'n',
            (byte)'\r' => (byte)'r',
            (byte)'\t' => (byte)'t',
            (byte)'\b' => (byte)'b',
            (byte)'\f' => (byte)'f',
            _ => (byte)0,
        };
        var free = Free(6);
        free[0] = (byte)'\\';
        if (letter != 0)
        {
            free[1] = letter;
            _used += 2;
            return;
        }

        free[1] = (byte)'u';
        free[2] = (byte)'0';
        free[3] = (byte)'0';
        free[4] = (byte)"0123456789ABCDEF"[value >> 4];
        free[5] = (byte)"0123456789ABCDEF"[value & 0xF];
        _used += 6;
    }

    /// <summary>The free end of the buffer, at least <paramref name="needed"/> bytes long (never more than a chunk).</summary>
    private Span<byte> Free(int needed)
    {
        if (_buffer.Length - _used < needed)
        {
            Drain();
        }

        return _buffer.AsSpan(_used);
    }

    private void Drain()
    {
        stream.Write(_buffer, 0, _used);
        BytesWritten += _used;
        _used = 0;
    }
}
