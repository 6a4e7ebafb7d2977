using System.Buffers;
using System.Text.Json;
using System.Text;

namespace MimoBackup.EfCore.Engine;

/// <summary>
/// Pulls JSON tokens from a stream of any size through one refilled buffer: a Utf8JsonReader is rebuilt per
/// token from the saved <see cref="JsonReaderState"/>, so the caller can be an ordinary method instead of a
/// state machine. The buffer only grows to hold the largest single token; malformed or truncated input
/// throws <see cref="JsonException"/>.
/// </summary>
internal sealed class JsonTokenStream(Stream stream) : IDisposable
{
    private const int Capacity = 1 << 20;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Capacity);
    private byte[] _unescaped = ArrayPool<byte>.Shared.Rent(4096);
    private int _start;
    private int _end;
    private bool _final;
    private JsonReaderState _state;
    private bool _valueUnescaped;
    private int _valueStart;
    private int _valueLength;

    public JsonTokenType TokenType { get; private set; } = JsonTokenType.None;

    /// <summary>
    /// The current string (unescaped UTF-8) or number (as written); valid until the next <see cref="Read"/>.
    /// </summary>
    public ReadOnlySpan<byte> Value => (_valueUnescaped ? _unescaped : _buffer).AsSpan(_valueStart, _valueLength);

    public string StringValue => Encoding.UTF8.GetString(Value);

    /// <summary>The next token; false at the end of a complete document.</summary>
    public bool Read()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
            if (reader.Read())
            {
                TokenType = reader.TokenType;
                _valueUnescaped = false;
                _valueLength = 0;
                if (TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    if (reader.ValueIsEscaped)
                    {
                        if (_unescaped.Length < reader.ValueSpan.Length)
                        {
                            ArrayPool<byte>.Shared.Return(_unescaped);
                            _unescaped = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                        }

                        _valueUnescaped = true;
                        _valueStart = 0;
                        _valueLength = reader.CopyString(_unescaped);
                    }
                    else
                    {
                        _valueStart = _start + (int)reader.TokenStartIndex + 1;
                        _valueLength = reader.ValueSpan.Length;
                    }
                }
                else if (TokenType is JsonTokenType.Number)
                {
                    _valueStart = _start + (int)reader.TokenStartIndex;
                    _valueLength = reader.ValueSpan.Length;
                }

                _start += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                return true;
            }

            if (_final)
            {
                TokenType = JsonTokenType.None;
                return false;
            }

            Refill();
        }
    }

    /// <summary>Reads the next token and fails unless it is of the expected type.</summary>
    public void Expect(JsonTokenType type, string what)
    {
        if (!Read())
        {
            throw new JsonException($"the file ends where {what} should be");
        }

        if (TokenType != type)
        {
            throw new JsonException($"expected {what}, found {Describe(TokenType)}");
        }
    }

    /// <summary>Skips the value that starts with the current token, nested ones included.</summary>
    public void Skip()
    {
        var depth = 0;
        do
        {
            if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                depth++;
            }
            else if (TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                depth--;
            }
        }
        while (depth > 0 && Read());
    }

    public static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.EndObject => "the end of an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.EndArray => "the end of an array",
        JsonTokenType.PropertyName => "a property name",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_unescaped);
    }

    /// <summary>Keeps the unread tail, grows the buffer only when one token fills it, reads more.</summary>
    private void Refill()
    {
        var left = _end - _start;
        if (left == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(_start, left).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, left).CopyTo(_buffer);
        }

        _start = 0;
        _end = left;
        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _final = true;
        }

        _end += read;
    }
}
