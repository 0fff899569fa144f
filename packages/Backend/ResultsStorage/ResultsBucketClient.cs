using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.InteropServices;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Stores results in S3: streams a pipe into a multipart upload (a single PUT when the whole
/// result fits in one part) and reads byte ranges back. At most one part is buffered here.
/// </summary>
public sealed partial class ResultsBucketClient(IAmazonS3 s3, IOptions<ResultsStorageOptions> options, PartBufferPool parts, ILogger<ResultsBucketClient> logger)
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

    // Below this, a multi-segment object is copied into an array of its own, soon collected.
    private const int SmallObjectBytes = 1 << 20;

    /// <summary>Writes a small object in one request.</summary>
    public async Task PutAsync(string key, ReadOnlySequence<byte> content, CancellationToken cancellationToken, string contentType = JsonlContentType)
    {
        if (content.IsSingleSegment || content.Length < SmallObjectBytes)
        {
            await PutAsync(key, content.IsSingleSegment ? content.First : content.ToArray(), cancellationToken, contentType);
            return;
        }

        // Up to a part's size: a part buffer, let go when the instance is quiet (the shared array pool
        // would keep buffers this large for good).
        var buffer = parts.Rent(Math.Max((int)content.Length, _options.PartSizeBytes));
        try
        {
            content.CopyTo(buffer);
            await PutAsync(key, buffer.AsMemory(0, (int)content.Length), cancellationToken, contentType);
        }
        finally
        {
            parts.Return(buffer);
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

    /// <summary>
    /// Opens a whole object whose content checks itself (gzip members end with a CRC-32 of their bytes, which the
    /// decoder verifies), as the range of all its bytes: for a whole-object GET the SDK also hashes every byte
    /// with its MD5 when the ETag looks like one (s3rver's always do), some 5% of an export's CPU. The size comes
    /// from a HEAD first (an empty object has no range to ask for).
    /// </summary>
    public async Task<Stream> OpenSelfCheckedAsync(string key, CancellationToken cancellationToken)
    {
        var head = await CallAsync(
            () => s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = key }, cancellationToken),
            cancellationToken);
        return head.ContentLength == 0 ? new MemoryStream([], writable: false) : await OpenRangeAsync(key, 0, head.ContentLength - 1, cancellationToken);
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

    /// <summary>
    /// A URL that lets anyone holding it GET bytes <paramref name="first"/> to <paramref name="last"/>
    /// (inclusive) of the object until <paramref name="expires"/>. The <c>Range</c> header is signed: the
    /// client sends exactly that header, and S3 refuses any other range with that URL (a server that
    /// does not check signed headers, as s3rver, serves it anyway).
    /// </summary>
    public Task<string> PresignRangeAsync(string key, long first, long last, DateTime expires)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = expires,
            Protocol = _options.ServiceUrl?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
        };
        request.Headers["Range"] = RangeHeader(first, last);
        return s3.GetPreSignedURLAsync(request);
    }

    /// <summary>The <c>Range</c> header value of bytes <paramref name="first"/> to <paramref name="last"/> (inclusive).</summary>
    public static string RangeHeader(long first, long last) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bytes={first}-{last}");

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
}
