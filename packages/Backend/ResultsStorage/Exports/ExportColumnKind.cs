using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>How a result column is written in a typed format (XLSX, Parquet): from its shown type and the warehouse's own type.</summary>
public enum ExportColumnKind
{
    /// <summary>Whole numbers (64-bit).</summary>
    WholeNumber,

    /// <summary>Exact decimals with a known precision and scale (at most 28 digits).</summary>
    ExactNumber,

    /// <summary>Floating-point numbers.</summary>
    RealNumber,

    /// <summary>Numbers whose precision is not declared or too wide for .NET's decimal: kept exact as text.</summary>
    ExactText,

    /// <summary>Calendar dates.</summary>
    Date,

    /// <summary>Timestamps without a time zone.</summary>
    Timestamp,

    /// <summary>Instants (timestamps with a time zone), in UTC.</summary>
    TimestampUtc,

    /// <summary>True or false.</summary>
    Boolean,

    /// <summary>Text (and nested JSON, as its text).</summary>
    Text,
}

/// <summary>Classifies columns and reads their stored JSON values as .NET values.</summary>
public static partial class ExportColumns
{
    private const int WidestDecimal = 28;

    /// <summary>The kind of <paramref name="column"/>, with a decimal's precision and scale.</summary>
    public static (ExportColumnKind Kind, int Precision, int Scale) KindOf(ResultColumn column)
    {
        var type = column.WarehouseType.ToLowerInvariant();
        switch (column.Type)
        {
            case DimensionType.Boolean:
                return (ExportColumnKind.Boolean, 0, 0);
            case DimensionType.Date:
                return (ExportColumnKind.Date, 0, 0);
            case DimensionType.Timestamp:
                return (type is "timestamptz" or "timestamp with time zone" ? ExportColumnKind.TimestampUtc : ExportColumnKind.Timestamp, 0, 0);
            case DimensionType.Number:
                if (type is "int2" or "int4" or "int8" or "smallint" or "integer" or "bigint" or "tinyint" or "utinyint" or "usmallint" or "uinteger" or "oid" or "xid")
                {
                    return (ExportColumnKind.WholeNumber, 0, 0);
                }

                if (type is "float4" or "float8" or "real" or "double precision" or "double" or "float")
                {
                    return (ExportColumnKind.RealNumber, 0, 0);
                }

                if (TryDeclaredDecimal(type, out var precision, out var scale))
                {
                    return precision <= WidestDecimal ? (ExportColumnKind.ExactNumber, precision, scale) : (ExportColumnKind.ExactText, 0, 0);
                }

                return type == "money" ? (ExportColumnKind.ExactNumber, 19, 2) : (ExportColumnKind.ExactText, 0, 0);
            default:
                return (ExportColumnKind.Text, 0, 0);
        }
    }

    /// <summary>A stored value as the kind's .NET value (long, decimal, double, string, DateOnly, DateTime, bool), or null.</summary>
    public static object? Read(JsonElement value, ExportColumnKind kind)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return kind switch
        {
            ExportColumnKind.WholeNumber when value.TryGetInt64(out var integer) => integer,
            ExportColumnKind.ExactNumber when value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var exact) => exact,
            ExportColumnKind.ExactNumber when value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var text) => text,
            ExportColumnKind.RealNumber when value.ValueKind == JsonValueKind.Number => value.GetDouble(),
            ExportColumnKind.RealNumber when value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var special) => special,
            ExportColumnKind.Date when DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) => date,
            ExportColumnKind.Timestamp when DateTime.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var local) =>
                DateTime.SpecifyKind(local, DateTimeKind.Unspecified),
            ExportColumnKind.TimestampUtc when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) =>
                instant.UtcDateTime,
            ExportColumnKind.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False => value.GetBoolean(),
            _ => value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(),
        };
    }

    /// <summary>The precision and scale a warehouse type declares (<c>numeric(12,4)</c>, <c>DECIMAL(18,3)</c>); false for any other type.</summary>
    public static bool TryDeclaredDecimal(string warehouseType, out int precision, out int scale)
    {
        if (DecimalPattern().Match(warehouseType.ToLowerInvariant()) is { Success: true } match &&
            int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out precision) &&
            int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out scale))
        {
            return true;
        }

        precision = scale = 0;
        return false;
    }

    [GeneratedRegex(@"^(?:numeric|decimal)\((\d+),\s*(\d+)\)$")]
    private static partial Regex DecimalPattern();
}
