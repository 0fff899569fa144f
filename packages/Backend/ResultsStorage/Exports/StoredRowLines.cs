using System.Buffers;
using System.IO.Pipelines;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>Reads a result's JSON lines in order as they come (from S3, decompressed, or from any producer of lines), handing each line to a writer.</summary>
public static class StoredRowLines
{
    /// <summary>
    /// Calls <paramref name="onLine"/> with each line, up to <paramref name="maxRows"/> lines, and
    /// <paramref name="afterChunk"/> with the count so far after each buffer read (where a writer
    /// flushes, reports progress and yields). Returns how many lines were handed over.
    /// </summary>
    public static Task<long> ReadAsync(
        ResultsBucketClient storage,
        string resultsKey,
        long maxRows,
        Func<ReadOnlySequence<byte>, ValueTask> onLine,
        Func<long, CancellationToken, ValueTask> afterChunk,
        CancellationToken cancellationToken) =>
        ReadAsync((lines, token) => DecodeAsync(storage, resultsKey, lines, token), maxRows, onLine, afterChunk, cancellationToken);

    /// <summary>
    /// The same over the lines <paramref name="produce"/> writes (any source: S3, a re-fetch from the
    /// warehouse), produced on a task of their own beside the consumer; a failure of either reaches the caller.
    /// </summary>
    public static async Task<long> ReadAsync(
        Func<PipeWriter, CancellationToken, Task> produce,
        long maxRows,
        Func<ReadOnlySequence<byte>, ValueTask> onLine,
        Func<long, CancellationToken, ValueTask> afterChunk,
        CancellationToken cancellationToken)
    {
        // Reading and decompressing run on a task of their own, beside the writer that consumes the lines.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producing = Task.Run(() => ProduceAsync(produce, pipe.Writer, stop.Token), stop.Token);
        var lines = pipe.Reader;
        long rows = 0;
        try
        {
            while (rows < maxRows)
            {
                var read = await lines.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (rows < maxRows && ResultRowParser.TryReadLine(ref buffer, out var line))
                {
                    await onLine(line);
                    rows++;
                }

                lines.AdvanceTo(buffer.Start, buffer.End);
                await afterChunk(rows, cancellationToken);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            await lines.CompleteAsync();
            await stop.CancelAsync();
            try
            {
                await producing;
            }
            catch (Exception)
            {
                // Stopped early (enough rows, or the writer failed), or failed: a failure reached the lines' reader through the pipe.
            }
        }

        return rows;
    }

    private static async Task ProduceAsync(Func<PipeWriter, CancellationToken, Task> produce, PipeWriter output, CancellationToken cancellationToken)
    {
        try
        {
            await produce(output, cancellationToken);
            await output.CompleteAsync();
        }
        catch (Exception e)
        {
            await output.CompleteAsync(e);
            throw;
        }
    }

    private static async Task DecodeAsync(ResultsBucketClient storage, string resultsKey, PipeWriter output, CancellationToken cancellationToken)
    {
        await using var source = await StoredLines.OpenAsync(storage, resultsKey, cancellationToken);
        await source.CopyToAsync(output, cancellationToken);
    }
}
