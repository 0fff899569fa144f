using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Statements;

/// <summary>
/// Snowflake's <c>jsonv2</c> encoding of result columns and values: every value is text, numbers as
/// written, booleans <c>true</c>/<c>false</c>, dates as days since 1970-01-01, times as seconds since
/// midnight and timestamps as seconds since the epoch, both with nine decimals, binary as hex.
/// </summary>
public static partial class StatementValueEncoding
{
    private const int FixedPrecision = 38;
    private const int UnknownScale = 9;
    private const long TextLength = 16_777_216;

    /// <summary>The Snowflake column of a result column.</summary>
    public static StatementRowType RowTypeOf(ResultColumn column, string database)
    {
        var warehouseType = column.WarehouseType.ToLowerInvariant();
        var (type, precision, scale) = warehouseType switch
        {
            "int2" or "int4" or "int8" or "oid" or "xid" or "smallint" or "integer" or "bigint" or "tinyint" or "hugeint"
                or "utinyint" or "usmallint" or "uinteger" or "ubigint" or "uhugeint" => ("fixed", FixedPrecision, 0),
            "money" => ("fixed", FixedPrecision, 2),
            "numeric" => ("fixed", FixedPrecision, UnknownScale),
            "float4" or "float8" or "float" or "double" or "double precision" or "real" => ("real", (int?)null, (int?)null),
            "bool" or "boolean" => ("boolean", null, null),
            "date" => ("date", null, null),
            "time" or "time without time zone" => ("time", null, 9),
            "timestamp" or "timestamp without time zone" or "timestamp_ns" or "timestamp_ms" or "timestamp_s" or "datetime" => ("timestamp_ntz", null, 9),
            "timestamptz" or "timestamp with time zone" => ("timestamp_ltz", null, 9),
            "json" or "jsonb" => ("variant", null, null),
            "bytea" or "blob" => ("binary", null, null),
            _ when DecimalPattern().Match(warehouseType) is { Success: true } m =>
                ("fixed", int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)),
            _ when warehouseType.EndsWith(']') || warehouseType.StartsWith("struct", StringComparison.Ordinal) || warehouseType.StartsWith("map", StringComparison.Ordinal) => ("variant", null, null),
            _ => column.Type switch
            {
                DimensionType.Number => ("real", null, null),
                DimensionType.Boolean => ("boolean", null, null),
                DimensionType.Date => ("date", null, null),
                DimensionType.Timestamp => ("timestamp_ntz", null, 9),
                _ => ("text", null, null),
            },
        };
        return new StatementRowType
        {
            Name = column.Reference,
            Type = type,
            WarehouseType = column.WarehouseType,
            Precision = precision,
            Scale = scale,
            Length = type == "text" ? TextLength : null,
            ByteLength = type is "text" or "binary" ? TextLength : null,
            Database = database,
        };
    }

    /// <summary>One value in the column's encoding; null for SQL NULL (or the text <c>null</c> when <paramref name="nullable"/> is false).</summary>
    public static string? Encode(JsonElement raw, string type, bool nullable)
    {
        if (raw.ValueKind == JsonValueKind.Null)
        {
            return nullable ? null : "null";
        }

        var text = raw.ValueKind == JsonValueKind.String ? raw.GetString()! : raw.GetRawText();
        return type switch
        {
            "boolean" => raw.ValueKind switch { JsonValueKind.True => "true", JsonValueKind.False => "false", _ => text },
            "date" when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) =>
                (date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber).ToString(CultureInfo.InvariantCulture),
            "time" when TimeOnly.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) => Seconds(time.Ticks),
            "timestamp_ntz" or "timestamp_ltz" when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) =>
                Seconds((at.UtcDateTime - DateTime.UnixEpoch).Ticks),
            "binary" when raw.ValueKind == JsonValueKind.String && raw.TryGetBytesFromBase64(out var bytes) => Convert.ToHexString(bytes),
            _ => text,
        };
    }

    /// <summary>Ticks as seconds with nine decimals (<c>1616173619.000000000</c>).</summary>
    private static string Seconds(long ticks)
    {
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{rest * 100:D9}");
    }

    [GeneratedRegex(@"^(?:decimal|numeric)\((\d+),\s*(\d+)\)$")]
    private static partial Regex DecimalPattern();
}
