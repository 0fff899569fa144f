using Hangfire;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Microsoft.Extensions.Options;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// The recurring sweep that ends results: marks rows past their expiry (and queries queued too
/// long) <c>expired</c>, deletes results files that no live row points at any more (a file shared
/// by a cache hit that is still fresh is kept), and removes old history rows.
/// </summary>
public sealed class ResultsExpiryJob(
    ResultsExpiryStore expiry,
    IResultsStore results,
    IOptions<QueryExecutionOptions> options,
    ExclusiveRuns exclusive,
    ILogger<ResultsExpiryJob> logger)
{
    /// <summary>The recurring job's id in Hangfire.</summary>
    public const string RecurringJobId = "results-expiry";

    private const int FilesPerBatch = 500;

    /// <summary>Runs one sweep.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Expire results")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var run = await exclusive.TryStartAsync(RecurringJobId, cancellationToken);
        if (run is null)
        {
            return;
        }

        var expired = await expiry.ExpireAsync(options.Value.MaxQueueTime, cancellationToken);
        var deleted = 0;
        IReadOnlyList<string> files;
        do
        {
            files = await expiry.FindUnreferencedFilesAsync(FilesPerBatch, cancellationToken);
            foreach (var file in files)
            {
                await results.DeleteAsync(file, cancellationToken);
                await expiry.ForgetFileAsync(file, cancellationToken);
                deleted++;
            }
        }
        while (files.Count == FilesPerBatch);

        var removed = await expiry.DeleteOldHistoryAsync(options.Value.HistoryRetention, cancellationToken);
        if (expired + deleted + removed > 0)
        {
            logger.LogInformation("Expiry sweep: {Expired} rows expired, {Deleted} results files deleted, {Removed} old history rows removed", expired, deleted, removed);
        }
    }
}
