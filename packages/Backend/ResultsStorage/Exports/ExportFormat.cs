namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>The file formats a result can be exported to.</summary>
public enum ExportFormat
{
    /// <summary>RFC 4180 CSV, UTF-8, a header row.</summary>
    Csv,

    /// <summary>An Excel workbook, one sheet, typed cells.</summary>
    Xlsx,

    /// <summary>Apache Parquet, typed columns.</summary>
    Parquet,

    /// <summary>JSON lines, one object per row.</summary>
    Jsonl,
}

/// <summary>Names, extensions and content types of <see cref="ExportFormat"/>.</summary>
public static class ExportFormats
{
    /// <summary>The most rows one Excel sheet holds besides its header row (1,048,576 rows in all).</summary>
    public const long XlsxMaxRows = 1_048_575;

    /// <summary>The lower-case names the API takes.</summary>
    public static readonly IReadOnlyList<string> Names = ["csv", "xlsx", "parquet", "jsonl"];

    /// <summary>The format named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ExportFormat? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "csv" => ExportFormat.Csv,
        "xlsx" => ExportFormat.Xlsx,
        "parquet" => ExportFormat.Parquet,
        "jsonl" => ExportFormat.Jsonl,
        _ => null,
    };

    /// <summary>The lower-case name (and file extension).</summary>
    public static string NameOf(this ExportFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>The content type of the file.</summary>
    public static string ContentTypeOf(this ExportFormat format) => format switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ExportFormat.Parquet => "application/vnd.apache.parquet",
        _ => "application/jsonl",
    };

    /// <summary>The most rows the format holds, or null when it has no limit.</summary>
    public static long? MaxRowsOf(this ExportFormat format) => format == ExportFormat.Xlsx ? XlsxMaxRows : null;
}
