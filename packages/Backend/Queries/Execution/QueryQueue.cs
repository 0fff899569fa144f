using Hangfire;
using Lightdash.Net.Backend.Queries.History;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>Hands a recorded query to the background workers (any instance's), on its class's queue at its priority.</summary>
public sealed class QueryQueue(IBackgroundJobClient jobs, QueryHistoryStore history)
{
    /// <summary>
    /// Enqueues the query's job on the queue of its class and priority (workers take the higher
    /// priorities first) and marks it <c>queued</c> (unless a worker already took it).
    /// </summary>
    public async Task EnqueueAsync(Guid queryUuid, string context, QueryPriority priority, CancellationToken cancellationToken)
    {
        jobs.Enqueue<RunQueryJob>(Workloads.QueueOf(Workloads.ClassOf(context), priority), job => job.RunAsync(queryUuid, CancellationToken.None));
        await history.MarkQueuedAsync(queryUuid, cancellationToken);
    }

    /// <summary>Enqueues again a query recorded earlier (a lost worker, a new leader), on the queue it was submitted to.</summary>
    public async Task EnqueueAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        var (context, priority) = await history.QueueingOfAsync(queryUuid, cancellationToken);
        await EnqueueAsync(queryUuid, context, priority, cancellationToken);
    }
}
