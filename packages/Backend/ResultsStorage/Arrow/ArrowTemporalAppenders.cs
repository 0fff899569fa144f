using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lightdash.Net.Backend.ResultsStorage.Arrow;

/// <summary>Calendar dates as date32 (days since 1970-01-01), from <c>yyyy-MM-dd</c>.</summary>
public sealed class Date32Appender : ArrowColumnAppender
{
    private Date32Array.Builder _builder = new();

    /// <inheritdoc />
    public override IArrowType Type => Date32Type.Default;

    /// <inheritdoc />
    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTime(out var date))
        {
            throw new ArrowValueException($"{Encoding.UTF8.GetString(reader.ValueSpan)} is not a date.");
        }

        _builder.Append(DateOnly.FromDateTime(date));
    }

    /// <inheritdoc />
    public override void AppendNull() => _builder.AppendNull();

    /// <inheritdoc />
    public override IArrowArray Build()
    {
        var array = _builder.Build();
        _builder = new Date32Array.Builder();
        return array;
    }
}

/// <summary>
/// Timestamps in microseconds: instants (a warehouse type with a time zone) with the zone <c>UTC</c>,
/// others without a zone, holding the wall-clock time as stored.
/// </summary>
/// <param name="instant">True for a type with a time zone.</param>
public sealed class TimestampAppender(bool instant) : ArrowColumnAppender
{
    private readonly TimestampType _type = new(TimeUnit.Microsecond, instant ? "UTC" : (string?)null);
    private TimestampArray.Builder? _builder;

    /// <inheritdoc />
    public override IArrowType Type => _type;

    private TimestampArray.Builder Builder => _builder ??= new TimestampArray.Builder(_type);

    /// <inheritdoc />
    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new ArrowValueException($"{Encoding.UTF8.GetString(reader.ValueSpan)} is not a timestamp.");
        }

        if (instant && reader.TryGetDateTimeOffset(out var at))
        {
            Builder.Append(at);
        }
        else if (!instant && reader.TryGetDateTime(out var wallClock))
        {
            Builder.Append(new DateTimeOffset(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), TimeSpan.Zero));
        }
        else
        {
            throw new ArrowValueException($"\"{reader.GetString()}\" is not a timestamp.");
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
