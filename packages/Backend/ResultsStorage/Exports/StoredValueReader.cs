using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// Reads one stored JSON value where a <see cref="Utf8JsonReader"/> stands, as the .NET value of a typed
/// export column (no document per row). Each reader answers false for a value its kind cannot hold
/// (which the caller then writes as its text).
/// </summary>
public static class StoredValueReader
{
    /// <summary>A whole number.</summary>
    public static bool TryInt64(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
    }

    /// <summary>An exact decimal (a number, or a number's text).</summary>
    public static bool TryDecimal(ref Utf8JsonReader reader, out decimal value)
    {
        value = 0;
        return reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetDecimal(out value),
            JsonTokenType.String => decimal.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    /// <summary>A float (NaN and the infinities are stored as text).</summary>
    public static bool TryDouble(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        return reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetDouble(out value),
            JsonTokenType.String => double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    /// <summary>A calendar date (<c>yyyy-MM-dd</c>).</summary>
    public static bool TryDate(ref Utf8JsonReader reader, out DateOnly value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTime(out var at))
        {
            return false;
        }

        value = DateOnly.FromDateTime(at);
        return true;
    }

    /// <summary>A timestamp without a zone: the wall-clock time as stored.</summary>
    public static bool TryTimestamp(ref Utf8JsonReader reader, out DateTime value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTime(out var at))
        {
            return false;
        }

        value = DateTime.SpecifyKind(at.Kind == DateTimeKind.Local ? at.ToUniversalTime() : at, DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>An instant, in UTC (a stored time without an offset is taken as UTC).</summary>
    public static bool TryInstant(ref Utf8JsonReader reader, out DateTime value)
    {
        value = default;
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTime(out var at))
        {
            return false;
        }

        value = at.Kind switch
        {
            DateTimeKind.Local => at.ToUniversalTime(),
            _ => DateTime.SpecifyKind(at, DateTimeKind.Utc),
        };
        return true;
    }

    /// <summary>The value as text: a string unescaped, anything else (numbers, booleans, objects, arrays) as its JSON text.</summary>
    public static string Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString()!;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(line[start..(int)reader.BytesConsumed]);
            default:
                return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }
}
