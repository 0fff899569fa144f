using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Records every request the backend sends to the S3 server (the real one: requests still go
/// through), so tests can see how a result was uploaded, for example how many parts it took.
/// </summary>
public sealed class S3RequestLog : HttpClientFactory
{
    private readonly ConcurrentQueue<string> _requests = new();

    /// <summary>Each request as "METHOD path?query".</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    /// <summary>An S3 client, as the backend configures it, whose requests land in this log.</summary>
    public AmazonS3Client CreateClient() => TestS3.CreateClient(this);

    /// <inheritdoc />
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new RecordingHandler(_requests) { InnerHandler = new HttpClientHandler() });

    private sealed class RecordingHandler(ConcurrentQueue<string> requests) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            requests.Enqueue($"{request.Method} {request.RequestUri?.PathAndQuery}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
