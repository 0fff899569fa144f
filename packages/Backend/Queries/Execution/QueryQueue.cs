using Hangfire;
using Lightdash.Net.Backend.Queries.History;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>Hands a recorded query to the background workers (any instance's).</summary>
public sealed class QueryQueue(IBackgroundJobClient jobs, QueryHistoryStore history)
{
    /// <summary>Enqueues the query's job and marks it <c>queued</c> (unless a worker already took it).</summary>
    public async Task EnqueueAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        jobs.Enqueue<RunQueryJob>(job => job.RunAsync(queryUuid, CancellationToken.None));
        await history.MarkQueuedAsync(queryUuid, cancellationToken);
    }
}
