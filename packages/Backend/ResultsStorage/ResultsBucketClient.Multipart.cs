using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Lightdash.Net.Backend.ResultsStorage;

// ResultsBucketClient, continued: multipart.
public sealed partial class ResultsBucketClient
{
    private async Task<long> UploadMultipartAsync(
        string key, PipeReader source, ReadResult read, int partSize, string contentType, Func<string, CancellationToken, Task>? onStarted, LiveUpload? live,
        CancellationToken cancellationToken)
    {
        var uploadId = await StartMultipartAsync(key, contentType, onStarted, cancellationToken);
        // Up to MaxConcurrentPartUploads parts travel at once, each in a buffer of its own, while the
        // pipe keeps filling: the server's per-request latency no longer paces the whole result.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new List<Task<PartETag>>();
        var parts = new List<PartETag>();
        using var progress = live is null ? null : new LivePrefix(live);
        try
        {
            if (live is not null)
            {
                // Recorded with the upload id above, so a reaper finds these copies too if this process dies.
                await live.CopyHead(read.Buffer.Slice(0, Math.Min(read.Buffer.Length, live.HeadBytes)).ToArray(), failed.Token);
            }

            var total = await SendPartsAsync(new PartsInFlight(key, uploadId, inFlight, parts, progress, failed.Token), source, read, partSize, cancellationToken);
            while (inFlight.Count > 0)
            {
                await CollectFirstAsync(inFlight, parts);
            }

            parts.Sort((a, b) => a.PartNumber.GetValueOrDefault().CompareTo(b.PartNumber.GetValueOrDefault()));
            await CallAsync(
                () => s3.CompleteMultipartUploadAsync(
                    new CompleteMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = uploadId, PartETags = parts },
                    cancellationToken),
                cancellationToken);
            return total;
        }
        catch
        {
            await failed.CancelAsync();
            await Task.WhenAll(inFlight.Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default)));
            await AbortAsync(key, uploadId);
            throw;
        }
    }

    /// <summary>Starts the multipart upload and tells <paramref name="onStarted"/> its id (the upload is aborted if that fails).</summary>
    private async Task<string> StartMultipartAsync(string key, string contentType, Func<string, CancellationToken, Task>? onStarted, CancellationToken cancellationToken)
    {
        var upload = await CallAsync(
            () => s3.InitiateMultipartUploadAsync(
                new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = key, ContentType = contentType },
                cancellationToken),
            cancellationToken);
        if (onStarted is not null)
        {
            try
            {
                await onStarted(upload.UploadId, cancellationToken);
            }
            catch
            {
                await AbortAsync(key, upload.UploadId);
                throw;
            }
        }

        return upload.UploadId;
    }

    /// <summary>The parts of one upload on their way: where they go, those still travelling, those done, and the token that stops them all.</summary>
    private sealed record PartsInFlight(string Key, string UploadId, List<Task<PartETag>> InFlight, List<PartETag> Done, LivePrefix? Progress, CancellationToken Failed);

    /// <summary>Cuts the pipe into whole parts (the last may be shorter) and starts each part's upload; returns the bytes sent.</summary>
    private async Task<long> SendPartsAsync(PartsInFlight upload, PipeReader source, ReadResult read, int partSize, CancellationToken cancellationToken)
    {
        long total = 0;
        var partNumber = 0;
        while (true)
        {
            if (!read.IsCompleted && read.Buffer.Length < partSize)
            {
                // Every part but the last is a whole part.
                source.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await source.ReadAtLeastAsync(partSize, cancellationToken);
                continue;
            }

            var available = read.Buffer;
            var take = Math.Min(available.Length, partSize);
            if (take > 0)
            {
                var part = available.Slice(0, take);
                var buffer = parts.Rent(partSize);
                part.CopyTo(buffer);
                source.AdvanceTo(part.End);
                total += take;
                partNumber++;
                upload.Progress?.Planned(partNumber, total);
                upload.InFlight.Add(UploadPooledPartAsync(upload.Key, upload.UploadId, partNumber, buffer, (int)take, upload.Progress, upload.Failed));
                if (upload.InFlight.Count >= _options.MaxConcurrentPartUploads)
                {
                    await CollectFirstAsync(upload.InFlight, upload.Done);
                }
            }
            else
            {
                source.AdvanceTo(available.End);
            }

            if (read.IsCompleted && take == available.Length)
            {
                return total;
            }

            read = await source.ReadAtLeastAsync(partSize, cancellationToken);
        }
    }

    private static async Task CollectFirstAsync(List<Task<PartETag>> inFlight, List<PartETag> parts)
    {
        var done = await Task.WhenAny(inFlight);
        inFlight.Remove(done);
        parts.Add(await done);
    }

    private async Task<PartETag> UploadPooledPartAsync(string key, string uploadId, int partNumber, byte[] buffer, int length, LivePrefix? live, CancellationToken cancellationToken)
    {
        try
        {
            var etag = await UploadPartAsync(key, uploadId, partNumber, buffer, length, cancellationToken);
            if (live is not null)
            {
                await live.UploadedAsync(partNumber, buffer.AsMemory(0, length), cancellationToken);
            }

            return etag;
        }
        finally
        {
            parts.Return(buffer);
        }
    }

    private async Task<PartETag> UploadPartAsync(string key, string uploadId, int partNumber, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var response = await CallAsync(
            () => s3.UploadPartAsync(
                new UploadPartRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = partNumber,
                    InputStream = body,
                    PartSize = length,
                    UseChunkEncoding = false,
                    DisablePayloadSigning = !SignPayload,
                },
                cancellationToken),
            cancellationToken);
        return new PartETag(partNumber, response.ETag);
    }

    /// <summary>
    /// Aborts multipart uploads under <paramref name="prefix"/> started before <paramref name="olderThan"/>
    /// (left by a process that died before it could record or abort them). Servers that cannot list
    /// uploads (s3rver answers 501) earn a warning; recorded uploads are aborted by id elsewhere.
    /// </summary>
    public async Task<int> AbortStaleUploadsAsync(string prefix, DateTime olderThan, CancellationToken cancellationToken)
    {
        ListMultipartUploadsResponse listed;
        try
        {
            listed = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _options.Bucket, Prefix = prefix }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed)
        {
            logger.LogDebug("Results storage cannot list multipart uploads ({Status}); only recorded uploads are aborted", e.StatusCode);
            return 0;
        }

        var aborted = 0;
        foreach (var upload in listed.MultipartUploads ?? [])
        {
            if (upload.Initiated < olderThan)
            {
                await AbortAsync(upload.Key, upload.UploadId);
                aborted++;
            }
        }

        return aborted;
    }

    /// <summary>
    /// Aborts a multipart upload so that no parts are left behind. Servers that do not implement
    /// abort (s3rver answers 405) only earn a warning: the object itself was never completed.
    /// </summary>
    public async Task AbortAsync(string key, string uploadId)
    {
        try
        {
            // Not the job's token: the abort must go out even when the job was cancelled.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await s3.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = uploadId },
                timeout.Token);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
        {
            logger.LogWarning("Results storage does not implement AbortMultipartUpload ({Status}); upload {UploadId} of {Key} left to the server", e.StatusCode, uploadId, key);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning(e, "Could not abort multipart upload {UploadId} of {Key}", uploadId, key);
        }
    }

    /// <summary>Runs an S3 call, turning its failures into <see cref="ResultsStorageException"/> with a message for the user.</summary>
    private static async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ResultsStorageException($"Results storage failed: {e.Message} ({(int)e.StatusCode} {e.ErrorCode})", e);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            throw new ResultsStorageException($"Results storage unavailable: {e.Message}", e);
        }
    }
}
