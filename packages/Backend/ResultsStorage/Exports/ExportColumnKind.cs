using System.Globalization;
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

/// <summary>Classifies columns for typed formats (their stored values are read by <see cref="StoredValueReader"/>).</summary>
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
