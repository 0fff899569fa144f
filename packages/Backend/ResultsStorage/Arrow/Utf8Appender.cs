using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lightdash.Net.Backend.ResultsStorage.Arrow;

/// <summary>
/// Text as utf8: JSON strings unescaped, anything else (JSON objects and arrays, numbers kept exact
/// as text) as its JSON text. Copied byte for byte: no string per value.
/// </summary>
public sealed class Utf8Appender : ArrowColumnAppender
{
    private StringArray.Builder _builder = new();
    private byte[] _unescaped = new byte[256];
    private long _bytes;

    /// <inheritdoc />
    public override IArrowType Type => StringType.Default;

    /// <inheritdoc />
    public override long VariableBytes => _bytes;

    /// <inheritdoc />
    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> value;
        switch (reader.TokenType)
        {
            case JsonTokenType.String when !reader.ValueIsEscaped:
                value = reader.ValueSpan;
                break;
            case JsonTokenType.String:
                if (_unescaped.Length < reader.ValueSpan.Length)
                {
                    _unescaped = new byte[Math.Max(reader.ValueSpan.Length, _unescaped.Length * 2)];
                }

                value = _unescaped.AsSpan(0, reader.CopyString(_unescaped));
                break;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                value = line[start..(int)reader.BytesConsumed];
                break;
            default:
                value = reader.ValueSpan;
                break;
        }

        _builder.Append(value);
        _bytes += value.Length;
    }

    /// <inheritdoc />
    public override void AppendNull() => _builder.AppendNull();

    /// <inheritdoc />
    public override IArrowArray Build()
    {
        var array = _builder.Build();
        _builder = new StringArray.Builder();
        _bytes = 0;
        if (_unescaped.Length > 64 * 1024)
        {
            _unescaped = new byte[256];
        }

        return array;
    }
}
