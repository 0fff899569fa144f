using Hangfire;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// Finds queries whose worker stopped renewing its lease (its backend was killed or lost), aborts the
/// multipart upload it left, and runs the query again, or fails it once it has been started
/// <see cref="QueryExecutionOptions.MaxAttempts"/> times. No query stays <c>executing</c> forever.
/// </summary>
public sealed class LeaseReaperJob(
    QueryLeaseStore leases,
    QueryHistoryStore history,
    QueryQueue queue,
    ResultsBucketClient storage,
    IOptions<QueryExecutionOptions> options,
    IOptions<ResultsStorageOptions> storageOptions,
    ExclusiveRuns exclusive,
    ILogger<LeaseReaperJob> logger)
{
    /// <summary>The recurring job's id in Hangfire.</summary>
    public const string RecurringJobId = "lease-reaper";

    /// <summary>Runs one sweep; returns how many queries it took over.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Reap lapsed query leases")]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var run = await exclusive.TryStartAsync(RecurringJobId, cancellationToken);
        if (run is null)
        {
            return 0;
        }

        var settings = options.Value;
        var reaped = 0;
        foreach (var lapsed in await leases.FindLapsedAsync(settings.LeaseTimeout, cancellationToken))
        {
            if (lapsed is { UploadKey: { } key, UploadId: { } uploadId } && storageOptions.Value.Enabled)
            {
                await storage.AbortAsync(key, uploadId);
                await DeleteLiveCopiesAsync(key);
            }

            if (lapsed.Attempt < settings.MaxAttempts)
            {
                if (await leases.RequeueAsync(lapsed, settings.LeaseTimeout, cancellationToken))
                {
                    logger.LogWarning("Query {QueryUuid} lost its worker on {Server}; running it again", lapsed.QueryUuid, lapsed.ExecutingServer);
                    await queue.EnqueueAsync(lapsed.QueryUuid, cancellationToken);
                    reaped++;
                }
            }
            else if (await history.MarkErrorAsync(
                lapsed.QueryUuid,
                $"The backend running this query stopped responding ({lapsed.Attempt} attempts; last on {lapsed.ExecutingServer}). Run it again.",
                settings.ErrorTtl,
                lapsed.Attempt,
                cancellationToken))
            {
                logger.LogWarning("Query {QueryUuid} lost its worker {Attempts} times; failed", lapsed.QueryUuid, lapsed.Attempt);
                reaped++;
            }
        }

        await leases.ReleaseLapsedSlotsAsync(settings.LeaseTimeout, cancellationToken);
        if (storageOptions.Value.Enabled)
        {
            // Uploads nobody recorded (a process died between starting and recording one), where the server can list them.
            await storage.AbortStaleUploadsAsync(storageOptions.Value.Prefix, DateTime.UtcNow - (settings.LeaseTimeout * 4), cancellationToken);
        }

        return reaped;
    }

    // The copies of the first bytes and parts that the dead worker made for live pages.
    private async Task DeleteLiveCopiesAsync(string key)
    {
        try
        {
            await storage.DeleteByPrefixAsync(LiveResults.Prefix(key), CancellationToken.None);
        }
        catch (ResultsStorageException e)
        {
            logger.LogWarning(e, "Could not delete the live copies of {Key}", key);
        }
    }
}
