using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Lightdash.Net.Common;
using Npgsql;
using NpgsqlTypes;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>Writes one column's value as JSON, keeping its type; chosen once per column from the PostgreSQL type.</summary>
internal delegate void PostgresValueWriter(NpgsqlDataReader reader, int ordinal, Utf8JsonWriter writer);

/// <summary>How each PostgreSQL type is shown and written to JSON.</summary>
internal static class PostgresColumnWriter
{
    /// <summary>The shown type and the JSON writer for a type's internal name (<c>int4</c>, <c>_text</c>...).</summary>
    public static (DimensionType Type, PostgresValueWriter Write) For(string internalName) => internalName switch
    {
        "bool" => (DimensionType.Boolean, static (r, i, w) => w.WriteBooleanValue(r.GetBoolean(i))),
        "int2" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetInt16(i))),
        "int4" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetInt32(i))),
        "int8" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetInt64(i))),
        "oid" or "xid" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetFieldValue<uint>(i))),
        "float4" => (DimensionType.Number, static (r, i, w) => WriteDouble(r.GetFloat(i), w)),
        "float8" => (DimensionType.Number, static (r, i, w) => WriteDouble(r.GetDouble(i), w)),
        "numeric" => (DimensionType.Number, WriteNumeric),
        "money" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetDecimal(i))),
        "date" => (DimensionType.Date, static (r, i, w) => WriteDate(r.GetFieldValue<DateOnly>(i), w)),
        "timestamp" or "timestamptz" => (DimensionType.Timestamp, static (r, i, w) => w.WriteStringValue(r.GetDateTime(i))),
        "json" => (DimensionType.String, WriteJson),
        // jsonb comes back normalised on one line, so it can be copied as it is.
        "jsonb" => (DimensionType.String, static (r, i, w) => w.WriteRawValue(r.GetString(i), skipInputValidation: true)),
        "bytea" => (DimensionType.String, static (r, i, w) => w.WriteBase64StringValue(r.GetFieldValue<byte[]>(i))),
        "uuid" => (DimensionType.String, static (r, i, w) => w.WriteStringValue(r.GetGuid(i))),
        "interval" => (DimensionType.String, static (r, i, w) => w.WriteStringValue(IsoDuration(r.GetFieldValue<NpgsqlInterval>(i)))),
        "text" or "varchar" or "bpchar" or "name" or "citext" or "char" or "xml" =>
            (DimensionType.String, static (r, i, w) => w.WriteStringValue(r.GetString(i))),
        _ => (DimensionType.String, static (r, i, w) => WriteAny(r.GetValue(i), w)),
    };

    private static void WriteDouble(double value, Utf8JsonWriter writer)
    {
        // JSON has no NaN or infinities: they travel as the strings PostgreSQL prints.
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteNumeric(NpgsqlDataReader reader, int ordinal, Utf8JsonWriter writer)
    {
        var length = checked((int)reader.GetBytes(ordinal, 0, null, 0, 0));
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            reader.GetBytes(ordinal, 0, buffer, 0, length);
            var value = PostgresNumeric.Decode(buffer.AsSpan(0, length));
            if (value.IsFinite)
            {
                writer.WriteRawValue(value.Text, skipInputValidation: true);
            }
            else
            {
                writer.WriteStringValue(value.Text);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteDate(DateOnly date, Utf8JsonWriter writer)
    {
        Span<char> text = stackalloc char[16];
        date.TryFormat(text, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }

    private static void WriteJson(NpgsqlDataReader reader, int ordinal, Utf8JsonWriter writer)
    {
        // json keeps the user's white space, new lines included: re-write it compactly so one row stays one line.
        using var document = JsonDocument.Parse(reader.GetString(ordinal));
        document.WriteTo(writer);
    }

    private static string IsoDuration(NpgsqlInterval interval)
    {
        // NpgsqlInterval.Time is in microseconds.
        var micros = interval.Time;
        var negative = micros < 0;
        micros = Math.Abs(micros);
        var hours = micros / 3_600_000_000;
        var minutes = micros / 60_000_000 % 60;
        var secondsPart = micros % 60_000_000 / 1_000_000m;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"P{interval.Months / 12}Y{interval.Months % 12}M{interval.Days}DT{(negative ? "-" : "")}{hours}H{minutes}M{secondsPart:0.######}S");
    }

    /// <summary>Writes a value of any type Npgsql returns, arrays included (one JSON array per dimension).</summary>
    internal static void WriteAny(object? value, Utf8JsonWriter writer)
    {
        switch (value)
        {
            case null or DBNull: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case short n: writer.WriteNumberValue(n); break;
            case int n: writer.WriteNumberValue(n); break;
            case long n: writer.WriteNumberValue(n); break;
            case uint n: writer.WriteNumberValue(n); break;
            case decimal n: writer.WriteNumberValue(n); break;
            case float n: WriteDouble(n, writer); break;
            case double n: WriteDouble(n, writer); break;
            case DateTime t: writer.WriteStringValue(t); break;
            case DateTimeOffset t: writer.WriteStringValue(t); break;
            case DateOnly d: WriteDate(d, writer); break;
            case TimeOnly t: writer.WriteStringValue(t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)); break;
            case TimeSpan t: writer.WriteStringValue(t.ToString("c", CultureInfo.InvariantCulture)); break;
            case Guid g: writer.WriteStringValue(g); break;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
            case NpgsqlInterval i: writer.WriteStringValue(IsoDuration(i)); break;
            case Array array: WriteArray(array, writer, 0, new int[array.Rank]); break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static void WriteArray(Array array, Utf8JsonWriter writer, int dimension, int[] indices)
    {
        writer.WriteStartArray();
        var lower = array.GetLowerBound(dimension);
        for (var i = lower; i <= array.GetUpperBound(dimension); i++)
        {
            indices[dimension] = i;
            if (dimension == array.Rank - 1)
            {
                WriteAny(array.GetValue(indices), writer);
            }
            else
            {
                WriteArray(array, writer, dimension + 1, indices);
            }
        }

        writer.WriteEndArray();
    }
}
