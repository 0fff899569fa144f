using System.Collections.Concurrent;
using Amazon.S3.Model;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The key prefixes the tests of this run write under in the shared results bucket. Each backend a
/// test starts gets a prefix of its own; <see cref="TestRunCleanup"/> deletes them all when the run
/// ends, so a server shared by many runs does not fill its disk.
/// </summary>
public static class TestPrefixes
{
    private static readonly ConcurrentBag<string> Created = [];

    /// <summary>A new prefix (<c>test-&lt;uuid&gt;/</c>), remembered for the clean-up at the end of the run.</summary>
    public static string New()
    {
        var prefix = $"test-{Guid.NewGuid():N}/";
        Created.Add(prefix);
        return prefix;
    }

    /// <summary>Deletes every object under the prefixes this run created; returns how many were deleted.</summary>
    public static async Task<int> DeleteCreatedAsync(CancellationToken cancellationToken = default)
    {
        using var s3 = TestS3.CreateClient();
        var deleted = 0;
        foreach (var prefix in Created.Distinct(StringComparer.Ordinal))
        {
            deleted += await DeleteUnderAsync(s3, prefix, cancellationToken);
        }

        return deleted;
    }

    /// <summary>Deletes every object whose key starts with <paramref name="prefix"/>, a page of keys at a time.</summary>
    public static async Task<int> DeleteUnderAsync(Amazon.S3.IAmazonS3 s3, string prefix, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        string? continuation = null;
        do
        {
            var page = await s3.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = TestServers.S3Bucket, Prefix = prefix, ContinuationToken = continuation },
                cancellationToken);
            var keys = page.S3Objects ?? [];
            if (keys.Count > 0)
            {
                await s3.DeleteObjectsAsync(
                    new DeleteObjectsRequest
                    {
                        BucketName = TestServers.S3Bucket,
                        Objects = [.. keys.Select(o => new KeyVersion { Key = o.Key })],
                    },
                    cancellationToken);
                deleted += keys.Count;
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
        return deleted;
    }
}
