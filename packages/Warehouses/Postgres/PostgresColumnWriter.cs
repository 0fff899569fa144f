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
        "jsonb" => (DimensionType.String, WriteJsonb),
        "bytea" => (DimensionType.String, static (r, i, w) => w.WriteBase64StringValue(r.GetFieldValue<byte[]>(i))),
        "uuid" => (DimensionType.String, static (r, i, w) => w.WriteStringValue(r.GetGuid(i))),
        "interval" => (DimensionType.String, static (r, i, w) => w.WriteStringValue(IsoDuration(r.GetFieldValue<NpgsqlInterval>(i)))),
        "text" or "varchar" or "bpchar" or "name" or "citext" or "xml" => (DimensionType.String, WriteUtf8Text),
        "char" => (DimensionType.String, static (r, i, w) => w.WriteStringValue(r.GetString(i))),
        _ => (DimensionType.String, static (r, i, w) => WriteAny(r.GetValue(i), w)),
    };

    private static void WriteNumeric(NpgsqlDataReader reader, int ordinal, Utf8JsonWriter writer) =>
        WithRawBytes(reader, ordinal, writer, static (wire, w) =>
        {
            var length = PostgresNumeric.MaxUtf8Length(wire);
            var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
            try
            {
                var text = rented ?? stackalloc byte[256];
                if (PostgresNumeric.TryFormatUtf8(wire, text, out var written))
                {
                    w.WriteRawValue(text[..written], skipInputValidation: true);
                }
                else
                {
                    w.WriteStringValue(text[..written]);
                }
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        });

    /// <summary>Text as PostgreSQL sent it (UTF-8), escaped by the writer: no string per value.</summary>
    private static void WriteUtf8Text(NpgsqlDataReader reader, int ordinal, Utf8JsonWriter writer) =>
        WithRawBytes(reader, ordinal, writer, static (utf8, w) => w.WriteStringValue(utf8));

    /// <summary>jsonb's binary form is a version byte (1) and the JSON text, already normalised on one line.</summary>
    private static void WriteJsonb(NpgsqlDataReader reader, int ordinal, Utf8JsonWriter writer) =>
        WithRawBytes(reader, ordinal, writer, static (wire, w) =>
        {
            if (wire.Length == 0 || wire[0] != 1)
            {
                throw new FormatException($"Unknown jsonb format version {(wire.Length == 0 ? "(empty)" : wire[0])}.");
            }

            w.WriteRawValue(wire[1..], skipInputValidation: true);
        });

    private delegate void RawBytesWriter(ReadOnlySpan<byte> bytes, Utf8JsonWriter writer);

    /// <summary>Hands the column's wire bytes to <paramref name="write"/>, from a pooled buffer.</summary>
    private static void WithRawBytes(NpgsqlDataReader reader, int ordinal, Utf8JsonWriter writer, RawBytesWriter write)
    {
        var length = checked((int)reader.GetBytes(ordinal, 0, null, 0, 0));
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            reader.GetBytes(ordinal, 0, buffer, 0, length);
            write(buffer.AsSpan(0, length), writer);
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
