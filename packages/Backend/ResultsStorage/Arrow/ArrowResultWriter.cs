using System.Buffers;
using System.Text.Json;
using Apache.Arrow.Ipc;
using Lightdash.Net.Backend.ResultsStorage.Exports;

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
        using var writer = new ArrowStreamWriter(output, batcher.Schema, leaveOpen: true);
        await writer.WriteStartAsync(cancellationToken);
        var rows = await StoredRowLines.ReadAsync(
            (lines, token) => results.CopyAllAsync(source, lines, token),
            long.MaxValue,
            line =>
            {
                batcher.Add(line);
                return new ValueTask(WriteIfFullAsync(writer, batcher, cancellationToken));
            },
            static (_, _) => ValueTask.CompletedTask,
            cancellationToken);
        await FinishAsync(writer, batcher, cancellationToken);
        logger.LogInformation("Query {QueryUuid}: {Rows} rows written as Arrow", source.QueryUuid, rows);
        return rows;
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
            await WriteIfFullAsync(writer, batcher, cancellationToken);
        }

        await FinishAsync(writer, batcher, cancellationToken);
    }

    private static async Task WriteIfFullAsync(ArrowStreamWriter writer, ArrowRowBatcher batcher, CancellationToken cancellationToken)
    {
        if (batcher.IsFull)
        {
            using var batch = batcher.Build();
            await writer.WriteRecordBatchAsync(batch, cancellationToken);
        }
    }

    /// <summary>Writes the rows still collected as the last batch, then the stream's end.</summary>
    private static async Task FinishAsync(ArrowStreamWriter writer, ArrowRowBatcher batcher, CancellationToken cancellationToken)
    {
        if (batcher.Rows > 0)
        {
            using var last = batcher.Build();
            await writer.WriteRecordBatchAsync(last, cancellationToken);
        }

        await writer.WriteEndAsync(cancellationToken);
    }
}
