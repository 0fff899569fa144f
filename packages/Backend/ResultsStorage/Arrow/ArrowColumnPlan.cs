using Apache.Arrow;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.ResultsStorage.Arrow;

/// <summary>Which Arrow type each result column gets, from its shown type and the warehouse's own type.</summary>
public static class ArrowColumnPlan
{
    private const int WidestDecimal128 = 38;

    /// <summary>
    /// A new appender for <paramref name="column"/>: int64 for whole numbers, decimal128 with the declared
    /// precision and scale (up to 38 digits; utf8 with the exact text where none is declared or it is wider),
    /// float64, date32, timestamp[us] (zone UTC for instants), bool, and utf8 for text and JSON.
    /// </summary>
    public static ArrowColumnAppender AppenderFor(ResultColumn column)
    {
        var (kind, precision, scale) = ExportColumns.KindOf(column);
        return kind switch
        {
            ExportColumnKind.WholeNumber => new Int64Appender(),
            ExportColumnKind.ExactNumber => new Decimal128Appender(precision, scale),
            ExportColumnKind.ExactText when ExportColumns.TryDeclaredDecimal(column.WarehouseType, out var wide, out var wideScale) && wide <= WidestDecimal128 =>
                new Decimal128Appender(wide, wideScale),
            ExportColumnKind.RealNumber => new DoubleAppender(),
            ExportColumnKind.Date => new Date32Appender(),
            ExportColumnKind.Timestamp => new TimestampAppender(instant: false),
            ExportColumnKind.TimestampUtc => new TimestampAppender(instant: true),
            ExportColumnKind.Boolean => new BooleanAppender(),
            _ => new Utf8Appender(),
        };
    }

    /// <summary>The Arrow schema of <paramref name="columns"/> with these appenders, every field nullable, each carrying its warehouse type as metadata.</summary>
    public static Schema SchemaOf(IReadOnlyList<ResultColumn> columns, IReadOnlyList<ArrowColumnAppender> appenders)
    {
        var builder = new Schema.Builder();
        for (var i = 0; i < columns.Count; i++)
        {
            builder.Field(new Field(columns[i].Reference, appenders[i].Type, nullable: true, [new("lightdash.warehouse_type", columns[i].WarehouseType)]));
        }

        return builder.Build();
    }
}
