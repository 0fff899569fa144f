using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Ready when the results bucket can be listed (or when no S3 is configured).</summary>
public sealed class ResultsStorageHealthCheck(IAmazonS3 s3, IOptions<ResultsStorageOptions> options) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled)
        {
            return HealthCheckResult.Healthy("No results storage is configured; pages are re-fetched from the warehouse.");
        }

        try
        {
            await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = options.Value.Bucket, Prefix = options.Value.Prefix, MaxKeys = 1 }, cancellationToken);
            return HealthCheckResult.Healthy($"Bucket {options.Value.Bucket} answers.");
        }
        catch (Exception e) when (e is AmazonS3Exception or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"Results storage does not answer: {e.Message}");
        }
    }
}
