using Hangfire;
using Lightdash.Net.Backend.Queries.History;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>Hands a recorded query to the background workers (any instance's).</summary>
public sealed class QueryQueue(IBackgroundJobClient jobs, QueryHistoryStore history)
{
    /// <summary>
    /// Enqueues the query's job on its priority's queue (workers take the higher queues first) and marks
    /// it <c>queued</c> (unless a worker already took it).
    /// </summary>
    public async Task EnqueueAsync(Guid queryUuid, QueryPriority priority, CancellationToken cancellationToken)
    {
        jobs.Enqueue<RunQueryJob>(priority.QueueOf(), job => job.RunAsync(queryUuid, CancellationToken.None));
        await history.MarkQueuedAsync(queryUuid, cancellationToken);
    }

    /// <summary>Enqueues again a query recorded earlier (a lost worker, a new leader), at the priority it was submitted with.</summary>
    public async Task EnqueueAsync(Guid queryUuid, CancellationToken cancellationToken) =>
        await EnqueueAsync(queryUuid, await history.PriorityOfAsync(queryUuid, cancellationToken), cancellationToken);

    /// <summary>Tries the query's job again after <paramref name="delay"/>, on its priority's queue.</summary>
    public async Task ScheduleAsync(Guid queryUuid, TimeSpan delay, CancellationToken cancellationToken)
    {
        var priority = await history.PriorityOfAsync(queryUuid, cancellationToken);
        jobs.Schedule<RunQueryJob>(priority.QueueOf(), job => job.RunAsync(queryUuid, CancellationToken.None), delay);
    }
}
