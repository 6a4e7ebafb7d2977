using System.Buffers.Text;
using System.Buffers;
using System.Globalization;
using System.Text.Json;
using SQLitePCL;

namespace MimoBackup.EfCore.Engine;

internal static partial class JsonImport
{
    /// <summary>Binding a row: each JSON cell as a SQLite value of its own storage class.</summary>
    private sealed partial class Import
    {
        /// <summary>Binds the current cell with its own storage class (README, "Export and import").</summary>
        private void Bind(sqlite3 db, sqlite3_stmt insert, int index, string column)
        {
            int rc;
            switch (tokens.TokenType)
            {
                case JsonTokenType.Null:
                    rc = raw.sqlite3_bind_null(insert, index);
                    break;
                case JsonTokenType.Number when tokens.Value.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0:
                    rc = raw.sqlite3_bind_double(insert, index, double.Parse(tokens.Value, NumberStyles.Float, CultureInfo.InvariantCulture));
                    break;
                case JsonTokenType.Number:
                    if (!Utf8Parser.TryParse(tokens.Value, out long integer, out var used) || used != tokens.Value.Length)
                    {
                        throw new MimoBackupException(MimoError.ImportValueRejected, file, Where, $"column '{column}' holds the integer {tokens.StringValue}, which does not fit in 64 bits");
                    }

                    rc = raw.sqlite3_bind_int64(insert, index, integer);
                    break;
                case JsonTokenType.String:
                    rc = BindText(insert, index, tokens.Value);
                    break;
                case JsonTokenType.StartObject:
                    tokens.Expect(JsonTokenType.PropertyName, "the kind of a tagged cell (r, b or t64)");
                    var kind = tokens.StringValue;
                    tokens.Expect(JsonTokenType.String, $"the value of a '{kind}' cell");
                    rc = kind switch
                    {
                        "r" => double.TryParse(tokens.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
                            ? raw.sqlite3_bind_double(insert, index, real)
                            : throw new JsonException($"column '{column}' holds the real '{tokens.StringValue}', which is not a number"),
                        "b" => BindBlob(insert, index, Decode(column)),
                        "t64" => BindText(insert, index, Decode(column)),
                        _ => throw new JsonException($"column '{column}' holds a cell of unknown kind '{kind}'"),
                    };
                    tokens.Expect(JsonTokenType.EndObject, "the end of a tagged cell");
                    break;
                default:
                    throw new JsonException($"column '{column}' holds {JsonTokenStream.Describe(tokens.TokenType)}, which is not a cell");
            }

            Check(db, rc);
        }

        // An empty span is a null pointer to SQLite, which would bind NULL instead of an empty value.
        private static int BindText(sqlite3_stmt insert, int index, ReadOnlySpan<byte> utf8)
            => utf8.IsEmpty ? raw.sqlite3_bind_text(insert, index, string.Empty) : raw.sqlite3_bind_text(insert, index, utf8);

        private static int BindBlob(sqlite3_stmt insert, int index, ReadOnlySpan<byte> bytes)
            => bytes.IsEmpty ? raw.sqlite3_bind_zeroblob(insert, index, 0) : raw.sqlite3_bind_blob(insert, index, bytes);

        private ReadOnlySpan<byte> Decode(string column)
        {
            var encoded = tokens.Value;
            var size = Base64.GetMaxDecodedFromUtf8Length(encoded.Length);
            if (_decoded.Length < size)
            {
                ArrayPool<byte>.Shared.Return(_decoded);
                _decoded = ArrayPool<byte>.Shared.Rent(size);
            }

            if (Base64.DecodeFromUtf8(encoded, _decoded, out _, out var written) != OperationStatus.Done)
            {
                throw new JsonException($"column '{column}' holds base64 that does not decode");
            }

            return _decoded.AsSpan(0, written);
        }
    }
}
