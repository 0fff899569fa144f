using System.IO.Pipelines;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// Writes a stored result as a file in S3, in any export format, streaming: rows are read from the
/// stored result, written by the format's writer into a pipe, and uploaded part by part (a couple of
/// parts in memory at most). Rows beyond the format's limit or the request's are left out and reported.
/// </summary>
public sealed class ResultExporter(
    ResultsBucketClient storage,
    StreamingScheduler streaming,
    CsvExportWriter csv,
    XlsxExportWriter xlsx,
    ParquetExportWriter parquet,
    JsonlExportWriter jsonl,
    IOptions<ResultsStorageOptions> options)
{
    /// <summary>
    /// Exports <paramref name="spec"/> to <paramref name="key"/>; <paramref name="progress"/> hears the rows written so far,
    /// <paramref name="onUploadStarted"/> the upload id as soon as the multipart upload starts (so that it can be aborted if this process dies).
    /// </summary>
    public async Task<ExportOutcome> ExportAsync(
        ExportSpec spec, string key, Action<long> progress, CancellationToken cancellationToken, Func<string, CancellationToken, Task>? onUploadStarted = null)
    {
        var total = spec.Source.TotalRowCount ?? 0;
        var formatLimit = spec.Format.MaxRowsOf();
        var limit = (formatLimit, spec.RowLimit) switch
        {
            ({ } f, { } r) => Math.Min(f, r),
            ({ } f, null) => f,
            (null, { } r) => r,
            _ => (long?)null,
        };
        var maxRows = limit ?? long.MaxValue;
        var compressed = IsStoredCompressed(spec.Format);
        var ((rows, plainBytes), size) = await PipedUpload.RunAsync(
            storage,
            streaming,
            key,
            spec.Format.ContentTypeOf(),
            options.Value.PartSizeBytes,
            (output, token) => compressed ? WriteCompressedAsync(spec, maxRows, output, progress, token) : WriteCountedAsync(spec, maxRows, output, progress, token),
            cancellationToken,
            onUploadStarted);
        var truncated = total > rows;
        return new ExportOutcome(rows, plainBytes ?? size, truncated, truncated ? limit : null, compressed ? size : null);
    }

    /// <summary>
    /// True for the text formats (CSV, JSON lines): they are stored gzip-compressed (a fifth of the bytes
    /// to upload and keep) and served with <c>Content-Encoding: gzip</c>, which browsers and HTTP clients decode.
    /// </summary>
    public static bool IsStoredCompressed(ExportFormat format) => format is ExportFormat.Csv or ExportFormat.Jsonl;

    private async Task<(long Rows, long? PlainBytes)> WriteCountedAsync(ExportSpec spec, long maxRows, PipeWriter output, Action<long> progress, CancellationToken cancellationToken) =>
        (await WriteAsync(spec, maxRows, output, progress, cancellationToken), null);

    /// <summary>The format compressed (gzip): CSV by its own writer (in parallel where the stored result allows), JSON lines through a compression stage.</summary>
    private async Task<(long Rows, long? PlainBytes)> WriteCompressedAsync(ExportSpec spec, long maxRows, PipeWriter output, Action<long> progress, CancellationToken cancellationToken)
    {
        var (rows, plainBytes) = spec.Format == ExportFormat.Csv
            ? await csv.WriteCompressedAsync(spec, maxRows, output, progress, cancellationToken)
            : await GzipStage.RunAsync(plain => WriteAsync(spec, maxRows, plain, progress, cancellationToken), output, cancellationToken);
        return (rows, plainBytes);
    }

    private Task<long> WriteAsync(ExportSpec spec, long maxRows, PipeWriter output, Action<long> progress, CancellationToken cancellationToken) => spec.Format switch
    {
        ExportFormat.Csv => csv.WriteAsync(spec, maxRows, output, progress, cancellationToken),
        ExportFormat.Xlsx => xlsx.WriteAsync(spec, maxRows, output, progress, cancellationToken),
        ExportFormat.Parquet => parquet.WriteAsync(spec, maxRows, output, progress, cancellationToken),
        _ => jsonl.WriteAsync(spec, maxRows, output, progress, cancellationToken),
    };
}
