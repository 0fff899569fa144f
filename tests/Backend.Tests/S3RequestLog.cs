using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Records every request the backend sends to the S3 server (the real one: requests still go
/// through), so tests can see how a result was uploaded, for example how many parts it took.
/// </summary>
public sealed class S3RequestLog : HttpClientFactory
{
    private readonly ConcurrentQueue<string> _requests = new();

    private readonly ConcurrentQueue<string> _ranges = new();

    /// <summary>Each request as "METHOD path?query".</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    /// <summary>The Range header of each request that had one ("bytes=0-99"), in order.</summary>
    public IReadOnlyCollection<string> Ranges => _ranges;

    /// <summary>
    /// Asserts that the last multipart upload this log saw was aborted after at least one part went up,
    /// and that no object exists at its key; returns that key (bucket path included, as requested).
    /// </summary>
    public async Task<string> AssertLastUploadAbortedAsync(IAmazonS3 s3)
    {
        var aborted = _requests.Where(r => r.StartsWith("DELETE ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal)).ToList();
        Assert.That(aborted, Has.Count.GreaterThanOrEqualTo(1), "AbortMultipartUpload was sent");
        var abortedKey = aborted[^1].Split(' ')[1].Split('?')[0];
        Assert.That(_requests.Count(r => r.StartsWith($"PUT {abortedKey}?", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(1), "parts were uploaded before the failure");
        var listed = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "results", Prefix = Uri.UnescapeDataString(abortedKey["/results/".Length..]) });
        Assert.That(listed.S3Objects ?? [], Is.Empty, "no results object exists at the aborted key");
        return abortedKey;
    }

    /// <summary>An S3 client, as the backend configures it, whose requests land in this log.</summary>
    public AmazonS3Client CreateClient() => TestS3.CreateClient(this);

    /// <inheritdoc />
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new RecordingHandler(_requests, _ranges) { InnerHandler = new HttpClientHandler() });

    private sealed class RecordingHandler(ConcurrentQueue<string> requests, ConcurrentQueue<string> ranges) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            requests.Enqueue($"{request.Method} {request.RequestUri?.PathAndQuery}");
            if (request.Headers.Range is { } range)
            {
                ranges.Enqueue(range.ToString());
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
