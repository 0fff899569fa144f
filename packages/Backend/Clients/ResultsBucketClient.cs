using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Lightdash.Net.Backend.Configuration;

namespace Lightdash.Net.Backend.Clients;

/// <summary>
/// Stores results in S3: streams a pipe into a multipart upload (a single PUT when the whole
/// result fits in one part) and reads byte ranges back. At most one part is buffered here.
/// </summary>
public sealed class ResultsBucketClient(IAmazonS3 s3, IOptions<ResultsStorageOptions> options, ILogger<ResultsBucketClient> logger)
{
    /// <summary>The content type of plain results.</summary>
    public const string JsonlContentType = "application/jsonl";

    private readonly ResultsStorageOptions _options = options.Value;

    // Over HTTPS, TLS already protects the body, so the SDK need not hash every part to sign it
    // (S3 accepts UNSIGNED-PAYLOAD there); over plain HTTP the body must be signed.
    private bool SignPayload => _options.ServiceUrl?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Uploads everything <paramref name="source"/> yields to <paramref name="key"/> and returns its size.
    /// The object exists only once the whole pipe was read; on failure the multipart upload is aborted.
    /// </summary>
    /// <param name="key">The object's key.</param>
    /// <param name="source">What to upload, read to its end.</param>
    /// <param name="cancellationToken">Stops the upload (which is then aborted).</param>
    /// <param name="contentType">The object's content type.</param>
    /// <param name="onMultipartStarted">Told the upload id when a multipart upload starts, so that it can be found (and aborted) if this process dies.</param>
    /// <param name="live">For a multipart upload: told each part as it lands, so that the result can be read before it is complete.</param>
    public async Task<long> UploadAsync(
        string key,
        PipeReader source,
        CancellationToken cancellationToken,
        string contentType = JsonlContentType,
        Func<string, CancellationToken, Task>? onMultipartStarted = null,
        LiveUpload? live = null)
    {
        var partSize = _options.PartSizeBytes;
        // With live pages, the multipart upload starts as soon as the head is there (so that its first
        // bytes can be copied at once), not when the first part is full.
        var threshold = live is null ? partSize : Math.Min(live.HeadBytes, partSize);
        var first = await source.ReadAtLeastAsync(threshold, cancellationToken);
        if (first.IsCompleted && first.Buffer.Length < threshold)
        {
            var length = first.Buffer.Length;
            await PutAsync(key, first.Buffer, cancellationToken, contentType);
            source.AdvanceTo(first.Buffer.End);
            return length;
        }

        return await UploadMultipartAsync(key, source, first, partSize, contentType, onMultipartStarted, live, cancellationToken);
    }

    /// <summary>Writes a small object in one request.</summary>
    public async Task PutAsync(string key, ReadOnlySequence<byte> content, CancellationToken cancellationToken, string contentType = JsonlContentType)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)content.Length);
        try
        {
            content.CopyTo(buffer);
            await PutAsync(key, buffer.AsMemory(0, (int)content.Length), cancellationToken, contentType);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes an object from bytes already in memory, without copying them when they are an array's.</summary>
    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken, string contentType = JsonlContentType)
    {
        var segment = MemoryMarshal.TryGetArray(content, out var array) ? array : new ArraySegment<byte>(content.ToArray());
        using var body = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
        await PutStreamAsync(_options.Bucket, key, body, contentType, cancellationToken);
    }

    /// <summary>One PUT of a seekable body (its length known), to any bucket.</summary>
    private Task<PutObjectResponse> PutStreamAsync(string bucket, string key, Stream body, string? contentType, CancellationToken cancellationToken) =>
        CallAsync(
            () => s3.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = bucket,
                    Key = key,
                    InputStream = body,
                    AutoCloseStream = false,
                    ContentType = contentType,
                    // s3rver stores aws-chunked framing inside the object; plain bodies work everywhere.
                    UseChunkEncoding = false,
                    DisablePayloadSigning = !SignPayload,
                },
                cancellationToken),
            cancellationToken);

    /// <summary>Opens the bytes <paramref name="first"/> to <paramref name="last"/> (inclusive) of an object.</summary>
    public async Task<Stream> OpenRangeAsync(string key, long first, long last, CancellationToken cancellationToken)
    {
        var response = await CallAsync(
            () => s3.GetObjectAsync(
                new GetObjectRequest { BucketName = _options.Bucket, Key = key, ByteRange = new ByteRange(first, last) },
                cancellationToken),
            cancellationToken);
        return response.ResponseStream;
    }

    /// <summary>Opens a whole object.</summary>
    public async Task<Stream> OpenAsync(string key, CancellationToken cancellationToken)
    {
        var response = await CallAsync(
            () => s3.GetObjectAsync(new GetObjectRequest { BucketName = _options.Bucket, Key = key }, cancellationToken),
            cancellationToken);
        return response.ResponseStream;
    }

    /// <summary>
    /// Copies an object of the results bucket to <paramref name="destinationKey"/> in <paramref name="destinationBucket"/>,
    /// through a temporary file (server-side copy is not portable across S3-compatible servers: s3rver misreads
    /// an encoded copy source), so that the PUT has a seekable body of known length and memory stays bounded.
    /// </summary>
    public async Task CopyAsync(string key, string destinationBucket, string destinationKey, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lightdash-copy-{Guid.NewGuid():N}");
        try
        {
            string? contentType;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                using var source = await CallAsync(
                    () => s3.GetObjectAsync(new GetObjectRequest { BucketName = _options.Bucket, Key = key }, cancellationToken),
                    cancellationToken);
                contentType = source.Headers.ContentType;
                await source.ResponseStream.CopyToAsync(file, cancellationToken);
            }

            await using var body = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await PutStreamAsync(destinationBucket, destinationKey, body, contentType, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The results bucket's name.</summary>
    public string Bucket => _options.Bucket;

    /// <summary>Deletes objects; keys that do not exist are no error.</summary>
    public async Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        await CallAsync(
            () => s3.DeleteObjectsAsync(
                new DeleteObjectsRequest { BucketName = _options.Bucket, Objects = keys.Select(k => new KeyVersion { Key = k }).ToList(), Quiet = true },
                cancellationToken),
            cancellationToken);
    }

    /// <summary>Deletes every object whose key starts with <paramref name="keyPrefix"/>; returns how many.</summary>
    public async Task<int> DeleteByPrefixAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = keyPrefix };
        while (true)
        {
            var page = await CallAsync(() => s3.ListObjectsV2Async(request, cancellationToken), cancellationToken);
            var keys = (page.S3Objects ?? []).Select(o => o.Key).ToList();
            if (keys.Count > 0)
            {
                await DeleteAsync(keys, cancellationToken);
                deleted += keys.Count;
            }

            if (page.IsTruncated != true)
            {
                return deleted;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>True when the object exists.</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = key }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// A URL that lets anyone holding it GET the object until <paramref name="expires"/>; the response
    /// carries <paramref name="headers"/> instead of the stored ones when given.
    /// </summary>
    public Task<string> PresignGetAsync(string key, DateTime expires, ResponseHeaderOverrides? headers = null) =>
        s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            ResponseHeaderOverrides = headers ?? new ResponseHeaderOverrides(),
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = expires,
            Protocol = _options.ServiceUrl?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
        });

    /// <summary>Reads a small byte range fully into <paramref name="destination"/>.</summary>
    public async Task ReadRangeAsync(string key, long first, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await using var stream = await OpenRangeAsync(key, first, first + destination.Length - 1, cancellationToken);
        // A body cut short by the server fails like any other storage call (503), not as a bug (500).
        await CallAsync(
            async () =>
            {
                await stream.ReadExactlyAsync(destination, cancellationToken);
                return true;
            },
            cancellationToken);
    }

    private async Task<long> UploadMultipartAsync(
        string key, PipeReader source, ReadResult read, int partSize, string contentType, Func<string, CancellationToken, Task>? onStarted, LiveUpload? live,
        CancellationToken cancellationToken)
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
        // Up to MaxConcurrentPartUploads parts travel at once, each in a buffer of its own, while the
        // pipe keeps filling: the server's per-request latency no longer paces the whole result.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new List<Task<PartETag>>();
        var parts = new List<PartETag>();
        using var progress = live is null ? null : new LivePrefix(live);
        long total = 0;
        try
        {
            if (live is not null)
            {
                // Recorded with the upload id above, so a reaper finds these copies too if this process dies.
                await live.CopyHead(read.Buffer.Slice(0, Math.Min(read.Buffer.Length, live.HeadBytes)).ToArray(), failed.Token);
            }

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
                    var buffer = ArrayPool<byte>.Shared.Rent(partSize);
                    part.CopyTo(buffer);
                    source.AdvanceTo(part.End);
                    total += take;
                    partNumber++;
                    progress?.Planned(partNumber, total);
                    inFlight.Add(UploadPooledPartAsync(key, upload.UploadId, partNumber, buffer, (int)take, progress, failed.Token));
                    if (inFlight.Count >= _options.MaxConcurrentPartUploads)
                    {
                        await CollectFirstAsync(inFlight, parts);
                    }
                }
                else
                {
                    source.AdvanceTo(available.End);
                }

                if (read.IsCompleted && take == available.Length)
                {
                    break;
                }

                read = await source.ReadAtLeastAsync(partSize, cancellationToken);
            }

            while (inFlight.Count > 0)
            {
                await CollectFirstAsync(inFlight, parts);
            }

            parts.Sort((a, b) => a.PartNumber.GetValueOrDefault().CompareTo(b.PartNumber.GetValueOrDefault()));
            await CallAsync(
                () => s3.CompleteMultipartUploadAsync(
                    new CompleteMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts },
                    cancellationToken),
                cancellationToken);
            return total;
        }
        catch
        {
            await failed.CancelAsync();
            await Task.WhenAll(inFlight.Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default)));
            await AbortAsync(key, upload.UploadId);
            throw;
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
            ArrayPool<byte>.Shared.Return(buffer);
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

/// <summary>What a multipart upload tells as its first parts land, so that a result can be read while it is written.</summary>
/// <param name="HeadBytes">How many of the first bytes are copied at once, before the first part is full.</param>
/// <param name="CopyHead">Stores the copy of the first <paramref name="HeadBytes"/> bytes.</param>
/// <param name="Parts">How many of the first parts are told.</param>
/// <param name="CopyPart">Stores a copy of an uploaded part (its number from 1, its bytes).</param>
/// <param name="PrefixGrown">Told the end offsets of the parts of the uploaded prefix (every part before them uploaded too), in order.</param>
public sealed record LiveUpload(
    int HeadBytes,
    Func<ReadOnlyMemory<byte>, CancellationToken, Task> CopyHead,
    int Parts,
    Func<int, ReadOnlyMemory<byte>, CancellationToken, Task> CopyPart,
    Func<IReadOnlyList<long>, CancellationToken, Task> PrefixGrown);

/// <summary>Follows which parts have landed (they land in any order) and announces the uploaded prefix, one announcement at a time.</summary>
internal sealed class LivePrefix(LiveUpload live) : IDisposable
{
    private readonly SemaphoreSlim _announcing = new(1, 1);
    private readonly List<long> _partEnds = [];
    private readonly HashSet<int> _landed = [];
    private int _prefixParts;

    /// <inheritdoc />
    public void Dispose() => _announcing.Dispose();

    /// <summary>Part <paramref name="partNumber"/> will end at <paramref name="endOffset"/> (parts are planned in order).</summary>
    public void Planned(int partNumber, long endOffset)
    {
        lock (_partEnds)
        {
            _partEnds.Add(endOffset);
        }
    }

    /// <summary>Copies the landed part (one of the first <see cref="LiveUpload.Parts"/>), then announces the prefix if it grew.</summary>
    public async Task UploadedAsync(int partNumber, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (partNumber > live.Parts)
        {
            return;
        }

        await live.CopyPart(partNumber, bytes, cancellationToken);
        await _announcing.WaitAsync(cancellationToken);
        try
        {
            List<long>? prefix = null;
            lock (_partEnds)
            {
                _landed.Add(partNumber);
                var before = _prefixParts;
                while (_landed.Contains(_prefixParts + 1))
                {
                    _prefixParts++;
                }

                if (_prefixParts > before)
                {
                    prefix = _partEnds.GetRange(0, _prefixParts);
                }
            }

            if (prefix is not null)
            {
                await live.PrefixGrown(prefix, cancellationToken);
            }
        }
        finally
        {
            _announcing.Release();
        }
    }
}
