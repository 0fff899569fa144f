using System.IO.Pipelines;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>What the stages that write results into a pipe share: the line separator and when to flush.</summary>
public static class ResultsPipe
{
    /// <summary>Ends every stored row.</summary>
    public const byte NewLine = (byte)'\n';

    private const int FlushThresholdBytes = 64 * 1024;

    /// <summary>
    /// Flushes once 64 KiB are waiting, so that a slow reader on the other side pauses the writer
    /// instead of letting bytes pile up in memory.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token fired, or the pipe's reader stopped reading.</exception>
    public static async ValueTask FlushWhenFullAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (output.UnflushedBytes < FlushThresholdBytes)
        {
            return;
        }

        var flush = await output.FlushAsync(cancellationToken);
        if (flush.IsCompleted || flush.IsCanceled)
        {
            throw new OperationCanceledException("The reader of the results stopped.");
        }
    }
}
