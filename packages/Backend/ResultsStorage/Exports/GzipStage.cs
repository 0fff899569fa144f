using System.IO.Compression;
using System.IO.Pipelines;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>Runs a writer of plain bytes while a task of its own compresses them (gzip, fastest level) into the output.</summary>
public static class GzipStage
{
    /// <summary>Runs <paramref name="write"/> into a pipe whose bytes are compressed into <paramref name="output"/>; returns what it wrote and the plain byte count.</summary>
    public static async Task<(long Rows, long PlainBytes)> RunAsync(Func<PipeWriter, Task<long>> write, PipeWriter output, CancellationToken cancellationToken)
    {
        var plain = new Pipe(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
        var compressing = Task.Run(() => CompressAsync(plain.Reader, output, cancellationToken), cancellationToken);
        long rows;
        try
        {
            rows = await write(plain.Writer);
            await plain.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await plain.Writer.CompleteAsync(e);
            throw;
        }

        return (rows, await compressing);
    }

    private static async Task<long> CompressAsync(PipeReader input, PipeWriter output, CancellationToken cancellationToken)
    {
        long plainBytes = 0;
        try
        {
            await using (var gzip = new GZipStream(new BufferWriterStream(output), CompressionLevel.Fastest, leaveOpen: false))
            {
                while (true)
                {
                    var read = await input.ReadAsync(cancellationToken);
                    foreach (var segment in read.Buffer)
                    {
                        gzip.Write(segment.Span);
                    }

                    plainBytes += read.Buffer.Length;
                    input.AdvanceTo(read.Buffer.End);
                    await ResultsPipe.FlushWhenFullAsync(output, cancellationToken);
                    if (read.IsCompleted)
                    {
                        break;
                    }
                }
            }

            await input.CompleteAsync();
            return plainBytes;
        }
        catch (Exception e)
        {
            await input.CompleteAsync(e);
            throw;
        }
    }
}
