using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Lightdash.Net.Common;
using Npgsql;
using NpgsqlTypes;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>How each PostgreSQL type is shown and written to JSON.</summary>
internal static class PostgresColumnWriter
{
    /// <summary>The shown type and the JSON writer for a type's internal name (<c>int4</c>, <c>_text</c>...).</summary>
    public static (DimensionType Type, Action<NpgsqlDataReader, int, Utf8JsonWriter> Write) For(string internalName) => internalName switch
    {
        "bool" => (DimensionType.Boolean, static (r, i, w) => w.WriteBooleanValue(r.GetBoolean(i))),
        "int2" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetInt16(i))),
        "int4" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetInt32(i))),
        "int8" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetInt64(i))),
        "oid" or "xid" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetFieldValue<uint>(i))),
        "float4" => (DimensionType.Number, static (r, i, w) => JsonValues.WriteDouble(r.GetFloat(i), w)),
        "float8" => (DimensionType.Number, static (r, i, w) => JsonValues.WriteDouble(r.GetDouble(i), w)),
        "numeric" => (DimensionType.Number, WriteNumeric),
        "money" => (DimensionType.Number, static (r, i, w) => w.WriteNumberValue(r.GetDecimal(i))),
        "date" => (DimensionType.Date, static (r, i, w) => JsonValues.WriteDate(r.GetFieldValue<DateOnly>(i), w)),
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

    /// <summary>Writes a value of any type Npgsql returns; intervals in ISO 8601, the rest as <see cref="JsonValues.WriteAny"/>.</summary>
    internal static void WriteAny(object? value, Utf8JsonWriter writer)
    {
        if (value is NpgsqlInterval interval)
        {
            writer.WriteStringValue(IsoDuration(interval));
        }
        else
        {
            JsonValues.WriteAny(value, writer);
        }
    }
}
