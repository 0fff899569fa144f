using System.IO.Pipelines;
using Parquet;
using Parquet.Schema;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// Apache Parquet (Parquet.Net): typed columns (64-bit integers, exact decimals with their declared
/// precision and scale, doubles, dates, timestamps in microseconds, UTC-adjusted for instants,
/// booleans, text), Snappy-compressed row groups of <see cref="RowGroupRows"/> rows. Parquet's
/// footer is written last and its writer needs a seekable stream, so the file is built in a temporary
/// file (memory holds one row group) and then streamed to the upload.
/// </summary>
public sealed class ParquetExportWriter(ResultsBucketClient storage, RowGroupMemoryPool memoryPool)
{
    /// <summary>Rows per row group (what memory holds at once).</summary>
    public const int RowGroupRows = 50_000;

    // Parquet.Net keeps the page streams it frees for the next write, by default up to 16 MB of small
    // blocks and 64 MB of large buffers, for good (a process-wide pool): an instance that exported once
    // held them idle. A row group's pages fit in a few megabytes; beyond that they go to the collector.
    private static readonly ParquetOptions Options = new() { MaximumSmallPoolFreeBytes = 1 << 20, MaximumLargePoolFreeBytes = 4 << 20 };

    /// <summary>Writes the Parquet file of <paramref name="spec"/> into <paramref name="output"/>; returns the rows written.</summary>
    public async Task<long> WriteAsync(ExportSpec spec, long maxRows, PipeWriter output, Action<long> progress, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lightdash-export-{Guid.NewGuid():N}.parquet");
        try
        {
            long rows;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                rows = await WriteFileAsync(spec, maxRows, file, progress, cancellationToken);
            }

            await using var built = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await built.CopyToAsync(output, cancellationToken);
            return rows;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Builds the file: rows are parsed into one set of column buffers while the previous row group is encoded
    /// from the other, on another thread (one encoding at a time: the writer is not shared).
    /// </summary>
    private async Task<long> WriteFileAsync(ExportSpec spec, long maxRows, FileStream file, Action<long> progress, CancellationToken cancellationToken)
    {
        var columns = spec.Source.Columns;
        var kinds = columns.Select(ExportColumns.KindOf).ToArray();
        var fields = columns.Select((c, i) => FieldOf(c.Reference, kinds[i])).ToArray();
        var (fillingMemory, spareMemory) = (memoryPool.Rent(), memoryPool.Rent());
        var filling = new ParquetColumnBuffers(kinds.Select(k => k.Kind).ToArray(), RowGroupRows, fillingMemory);
        var spare = new ParquetColumnBuffers(kinds.Select(k => k.Kind).ToArray(), RowGroupRows, spareMemory);
        var encoding = Task.CompletedTask;
        var walker = new StoredRowWalker(columns);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), file, Options, cancellationToken: cancellationToken);
        try
        {
            var rows = await StoredRowLines.ReadAsync(
                storage,
                spec.Source.ResultsFileName!,
                maxRows,
                async line =>
                {
                    walker.Walk(line, filling);
                    filling.EndRow();
                    if (filling.Count >= RowGroupRows && columns.Count > 0)
                    {
                        await encoding;
                        var full = filling;
                        encoding = Task.Run(() => WriteRowGroupAsync(writer, fields, full, cancellationToken), cancellationToken);
                        (filling, spare) = (spare, full);
                    }
                },
                (count, _) =>
                {
                    progress(count);
                    return ValueTask.CompletedTask;
                },
                cancellationToken);
            await encoding;
            if (columns.Count > 0 && (filling.Count > 0 || rows == 0))
            {
                await WriteRowGroupAsync(writer, fields, filling, cancellationToken);
            }

            return rows;
        }
        finally
        {
            // A failure while a row group is encoded: the writer and the buffers are let go only once it is done.
            await encoding.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            filling.Dispose();
            spare.Dispose();
            memoryPool.Return(fillingMemory);
            memoryPool.Return(spareMemory);
        }
    }

    private static DataField FieldOf(string name, (ExportColumnKind Kind, int Precision, int Scale) kind) => kind.Kind switch
    {
        ExportColumnKind.WholeNumber => new DataField<long?>(name),
        ExportColumnKind.ExactNumber => new DecimalDataField(name, kind.Precision, kind.Scale, isNullable: true),
        ExportColumnKind.RealNumber => new DataField<double?>(name),
        ExportColumnKind.Date => new DataField<DateOnly?>(name),
        ExportColumnKind.Timestamp => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: true),
        ExportColumnKind.TimestampUtc => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
        ExportColumnKind.Boolean => new DataField<bool?>(name),
        _ => new DataField<string>(name, nullable: true),
    };

    private static async Task WriteRowGroupAsync(ParquetWriter writer, DataField[] fields, ParquetColumnBuffers buffers, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        for (var i = 0; i < fields.Length; i++)
        {
            await buffers.WriteColumnAsync(i, group, fields[i], cancellationToken);
        }

        buffers.Clear();
    }
}
