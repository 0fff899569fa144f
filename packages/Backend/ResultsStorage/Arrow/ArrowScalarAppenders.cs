using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lightdash.Net.Backend.ResultsStorage.Arrow;

/// <summary>64-bit integers.</summary>
public sealed class Int64Appender : ArrowColumnAppender
{
    private Int64Array.Builder _builder = new();

    /// <inheritdoc />
    public override IArrowType Type => Int64Type.Default;

    /// <inheritdoc />
    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        var text = reader.ValueSpan;
        if (!Utf8Parser.TryParse(text, out long value, out var consumed) || consumed != text.Length)
        {
            throw new ArrowValueException($"\"{Encoding.UTF8.GetString(text)}\" is not a 64-bit integer.");
        }

        _builder.Append(value);
    }

    /// <inheritdoc />
    public override void AppendNull() => _builder.AppendNull();

    /// <inheritdoc />
    public override IArrowArray Build()
    {
        var array = _builder.Build();
        _builder = new Int64Array.Builder();
        return array;
    }
}

/// <summary>64-bit floats; <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> are stored as JSON strings.</summary>
public sealed class DoubleAppender : ArrowColumnAppender
{
    private DoubleArray.Builder _builder = new();

    /// <inheritdoc />
    public override IArrowType Type => DoubleType.Default;

    /// <inheritdoc />
    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            _builder.Append(reader.GetDouble());
            return;
        }

        var text = reader.GetString();
        _builder.Append(text switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new ArrowValueException($"\"{text}\" is not a number."),
        });
    }

    /// <inheritdoc />
    public override void AppendNull() => _builder.AppendNull();

    /// <inheritdoc />
    public override IArrowArray Build()
    {
        var array = _builder.Build();
        _builder = new DoubleArray.Builder();
        return array;
    }
}

/// <summary>Exact decimals as decimal128 with the column's precision and scale.</summary>
/// <param name="precision">Digits in all, at most 38.</param>
/// <param name="scale">Digits after the point.</param>
public sealed class Decimal128Appender(int precision, int scale) : ArrowColumnAppender
{
    private const int WidestDotNetDecimal = 28;
    private readonly Decimal128Type _type = new(precision, scale);
    private Decimal128Array.Builder? _builder;

    /// <inheritdoc />
    public override IArrowType Type => _type;

    private Decimal128Array.Builder Builder => _builder ??= new Decimal128Array.Builder(_type);

    /// <inheritdoc />
    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new ArrowValueException($"\"{reader.GetString()}\" cannot be held by decimal({precision},{scale}).");
        }

        try
        {
            if (precision <= WidestDotNetDecimal && reader.TryGetDecimal(out var value))
            {
                Builder.Append(value);
            }
            else
            {
                // Beyond .NET's decimal: the exact text, which the builder scales itself.
                Builder.Append(Encoding.UTF8.GetString(reader.ValueSpan));
            }
        }
        catch (Exception e) when (e is OverflowException or ArgumentException or FormatException)
        {
            throw new ArrowValueException($"{Encoding.UTF8.GetString(reader.ValueSpan)} does not fit decimal({precision},{scale}): {e.Message}");
        }
    }

    /// <inheritdoc />
    public override void AppendNull() => Builder.AppendNull();

    /// <inheritdoc />
    public override IArrowArray Build()
    {
        var array = Builder.Build();
        _builder = null;
        return array;
    }
}

/// <summary>True or false.</summary>
public sealed class BooleanAppender : ArrowColumnAppender
{
    private BooleanArray.Builder _builder = new();

    /// <inheritdoc />
    public override IArrowType Type => BooleanType.Default;

    /// <inheritdoc />
    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line) => _builder.Append(reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new ArrowValueException($"{Encoding.UTF8.GetString(reader.ValueSpan)} is not a boolean."),
    });

    /// <inheritdoc />
    public override void AppendNull() => _builder.AppendNull();

    /// <inheritdoc />
    public override IArrowArray Build()
    {
        var array = _builder.Build();
        _builder = new BooleanArray.Builder();
        return array;
    }
}
