using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Runs a producer that writes into a <see cref="Pipe"/> while the pipe's reader uploads to S3 part
/// by part. The pipe pauses the producer when the upload falls behind, so at most a couple of parts
/// are in memory. When either side fails the other is stopped, the upload is aborted, and the
/// cause (not the cancellation it caused) is thrown.
/// </summary>
public static class PipedUpload
{
    /// <summary>
    /// Runs <paramref name="produce"/> into an upload to <paramref name="key"/>; returns what it produced and the object's size.
    /// Both sides run on the <paramref name="streaming"/> threads (the S3 client hashes each part where it is called),
    /// off the thread pool that serves requests.
    /// </summary>
    public static async Task<(T Produced, long Size)> RunAsync<T>(
        ResultsBucketClient storage,
        StreamingScheduler streaming,
        string key,
        string contentType,
        int partSize,
        Func<PipeWriter, CancellationToken, Task<T>> produce,
        CancellationToken cancellationToken,
        Func<string, CancellationToken, Task>? onMultipartStarted = null,
        LiveUpload? live = null)
    {
        var pipe = new Pipe(new PipeOptions(
            readerScheduler: streaming.Pipes,
            writerScheduler: streaming.Pipes,
            pauseWriterThreshold: partSize * 2L,
            resumeWriterThreshold: partSize,
            minimumSegmentSize: 64 * 1024,
            useSynchronizationContext: false));
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var upload = streaming.RunAsync(() => UploadAsync(storage, key, contentType, pipe.Reader, onMultipartStarted, live, failed));
        var production = streaming.RunAsync(() => ProduceAsync(produce, pipe.Writer, failed));
        try
        {
            await Task.WhenAll(production, upload);
        }
        catch
        {
            if (upload.Exception?.InnerException is ResultsStorageException storageFailure)
            {
                ExceptionDispatchInfo.Throw(storageFailure);
            }

            if (production.Exception?.InnerException is { } producerFailure and not OperationCanceledException)
            {
                ExceptionDispatchInfo.Throw(producerFailure);
            }

            throw;
        }

        return (await production, await upload);
    }

    private static async Task<long> UploadAsync(
        ResultsBucketClient storage, string key, string contentType, PipeReader source, Func<string, CancellationToken, Task>? onMultipartStarted, LiveUpload? live,
        CancellationTokenSource failed)
    {
        try
        {
            var size = await storage.UploadAsync(key, source, failed.Token, contentType, onMultipartStarted, live);
            await source.CompleteAsync();
            return size;
        }
        catch (Exception e)
        {
            await source.CompleteAsync(e);
            await failed.CancelAsync();
            throw;
        }
    }

    private static async Task<T> ProduceAsync<T>(Func<PipeWriter, CancellationToken, Task<T>> produce, PipeWriter output, CancellationTokenSource failed)
    {
        try
        {
            var produced = await produce(output, failed.Token);
            await output.CompleteAsync();
            return produced;
        }
        catch (Exception e)
        {
            await output.CompleteAsync(e);
            await failed.CancelAsync();
            throw;
        }
    }
}
