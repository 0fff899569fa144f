using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>The kinds of background work, each served by workers of its own.</summary>
public enum WorkloadClass
{
    /// <summary>What a person waits for: metric queries, charts, dashboard tiles, SQL, statements.</summary>
    Interactive,

    /// <summary>Work nobody watches: export jobs, deliveries and their queries, compose over stored results.</summary>
    Batch,

    /// <summary>Upkeep: expiry, lease reaping, cleanup, webhook and callback calls.</summary>
    System,
}

/// <summary>
/// The Hangfire queues of each class and priority. Hangfire's PostgreSQL storage takes the next job by
/// queue name in alphabetical order, so within a class the names sort as the priorities rank; each
/// class has a server (a pool of workers) of its own, so a burst of one class never takes the workers
/// of another.
/// </summary>
public static class Workloads
{
    /// <summary>The queue of system jobs; also serves Hangfire's <c>default</c> queue (jobs enqueued without one).</summary>
    public const string SystemQueue = "system";

    /// <summary>The queues a class's workers serve, in the order they take from them.</summary>
    public static string[] QueuesOf(WorkloadClass workload) => workload switch
    {
        WorkloadClass.System => [SystemQueue, "default"],
        _ => [QueueOf(workload, QueryPriority.High), QueueOf(workload, QueryPriority.Normal), QueueOf(workload, QueryPriority.Low)],
    };

    /// <summary>Every queue of every class (Hangfire's <c>default</c> included).</summary>
    public static readonly string[] AllQueues = Enum.GetValues<WorkloadClass>().SelectMany(QueuesOf).ToArray();

    /// <summary>The queue of a job of this class and priority (system jobs have one queue).</summary>
    public static string QueueOf(WorkloadClass workload, QueryPriority priority = QueryPriority.Normal) => workload switch
    {
        WorkloadClass.System => SystemQueue,
        _ => $"{workload.ToString().ToLowerInvariant()}_{priority switch { QueryPriority.High => "0high", QueryPriority.Low => "2low", _ => "1normal" }}",
    };

    /// <summary>The contexts of queries that are batch work: deliveries' queries and compose over stored results.</summary>
    public static readonly string[] BatchContexts = [QueryContext.ScheduledDelivery.ToName(), QueryContext.ComposeSql.ToName()];

    /// <summary>The class of a query, by where it comes from: deliveries and compose are batch work, the rest interactive.</summary>
    public static WorkloadClass ClassOf(string context) =>
        BatchContexts.Contains(context, StringComparer.Ordinal) ? WorkloadClass.Batch : WorkloadClass.Interactive;
}
