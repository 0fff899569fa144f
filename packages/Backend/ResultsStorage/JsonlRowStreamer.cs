using System.IO.Pipelines;
using System.Text.Json;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Writes a warehouse result as JSON lines into a <see cref="PipeWriter"/>, one row at a time,
/// flushing every 64 KiB so that a slow reader on the other side pauses the warehouse instead of
/// letting rows pile up in memory. Does not complete the writer: the caller owns it.
/// </summary>
public static class JsonlRowStreamer
{
    /// <summary>What was written.</summary>
    /// <param name="Rows">Rows written.</param>
    /// <param name="Bytes">Bytes written.</param>
    public readonly record struct Written(long Rows, long Bytes);

    /// <summary>Writes every remaining row of <paramref name="reader"/>; <paramref name="index"/>, when given, sees each row's offset.</summary>
    /// <exception cref="OperationCanceledException">The token fired, or the pipe's reader stopped reading.</exception>
    public static async Task<Written> WriteRowsAsync(
        IWarehouseResultReader reader, PipeWriter output, RowOffsetIndexBuilder? index, CancellationToken cancellationToken)
    {
        long rows = 0;
        long bytes = 0;
        await using var json = new Utf8JsonWriter(output, JsonSerialization.RowWriterOptions);
        while (await reader.ReadAsync(cancellationToken))
        {
            index?.OnRowStart(rows, bytes);
            reader.WriteRow(json);
            json.Flush();
            output.GetSpan(1)[0] = ResultsPipe.NewLine;
            output.Advance(1);
            bytes += json.BytesCommitted + 1;
            json.Reset(output);
            rows++;

            await ResultsPipe.FlushWhenFullAsync(output, cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
        return new Written(rows, bytes);
    }
}
