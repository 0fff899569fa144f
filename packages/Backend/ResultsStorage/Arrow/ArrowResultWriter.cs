using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Apache.Arrow.Ipc;

namespace Lightdash.Net.Backend.ResultsStorage.Arrow;

/// <summary>
/// Writes a ready result as an Arrow IPC stream: the stored JSON lines are read as they come (from S3,
/// or re-fetched from the warehouse) and handed out as record batches of bounded size.
/// </summary>
public sealed class ArrowResultWriter(IResultsStore results, ILogger<ArrowResultWriter> logger)
{
    /// <summary>The media type of an Arrow IPC stream.</summary>
    public const string MediaType = "application/vnd.apache.arrow.stream";

    /// <summary>Writes every row of <paramref name="source"/> to <paramref name="output"/>; returns the rows written.</summary>
    /// <exception cref="ArrowValueException">A stored value does not fit its column's Arrow type (the stream is then cut short).</exception>
    public async Task<long> WriteAsync(ResultSource source, Stream output, CancellationToken cancellationToken)
    {
        var batcher = new ArrowRowBatcher(source.Columns);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var copying = CopyAsync(source, pipe.Writer, stop.Token);
        long rows = 0;
        try
        {
            using var writer = new ArrowStreamWriter(output, batcher.Schema, leaveOpen: true);
            await writer.WriteStartAsync(cancellationToken);
            while (true)
            {
                var read = await pipe.Reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (ResultRowParser.TryReadLine(ref buffer, out var line))
                {
                    batcher.Add(line);
                    rows++;
                    if (batcher.IsFull)
                    {
                        using var batch = batcher.Build();
                        await writer.WriteRecordBatchAsync(batch, cancellationToken);
                    }
                }

                pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            if (batcher.Rows > 0)
            {
                using var last = batcher.Build();
                await writer.WriteRecordBatchAsync(last, cancellationToken);
            }

            await writer.WriteEndAsync(cancellationToken);
            logger.LogInformation("Query {QueryUuid}: {Rows} rows written as Arrow", source.QueryUuid, rows);
            return rows;
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            await stop.CancelAsync();
            await copying;
        }
    }

    /// <summary>
    /// Writes rows <paramref name="startRow"/> to <paramref name="startRow"/> + <paramref name="count"/> (exclusive)
    /// of <paramref name="source"/> to <paramref name="output"/>, read as a page (by range from the stored blocks).
    /// </summary>
    public async Task WritePageAsync(ResultSource source, long startRow, int count, Stream output, CancellationToken cancellationToken)
    {
        var rows = count == 0 ? [] : await results.ReadPageAsync(source, startRow, count, cancellationToken);
        var batcher = new ArrowRowBatcher(source.Columns);
        var line = new ArrayBufferWriter<byte>(1024);
        using var json = new Utf8JsonWriter(line);
        using var writer = new ArrowStreamWriter(output, batcher.Schema, leaveOpen: true);
        await writer.WriteStartAsync(cancellationToken);
        foreach (var row in rows)
        {
            // The page's cells, back as the stored line they were read from.
            line.ResetWrittenCount();
            json.Reset();
            json.WriteStartObject();
            foreach (var column in source.Columns)
            {
                json.WritePropertyName(column.Reference);
                if (row.TryGetValue(column.Reference, out var cell))
                {
                    cell.Value.Raw.WriteTo(json);
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndObject();
            json.Flush();
            batcher.Add(line.WrittenSpan);
            if (batcher.IsFull)
            {
                using var batch = batcher.Build();
                await writer.WriteRecordBatchAsync(batch, cancellationToken);
            }
        }

        if (batcher.Rows > 0)
        {
            using var last = batcher.Build();
            await writer.WriteRecordBatchAsync(last, cancellationToken);
        }

        await writer.WriteEndAsync(cancellationToken);
    }

    private async Task CopyAsync(ResultSource source, PipeWriter destination, CancellationToken cancellationToken)
    {
        try
        {
            await results.CopyAllAsync(source, destination, cancellationToken);
            await destination.CompleteAsync();
        }
        catch (Exception e)
        {
            // Reaches the reading side through the pipe (or nobody, when it stopped reading first).
            await destination.CompleteAsync(e);
        }
    }
}
