using Hangfire.PostgreSql;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>Gives Hangfire.PostgreSql's queues the wake-up of <see cref="WakingJobQueue"/>.</summary>
public sealed class WakingJobQueueProvider(IPersistentJobQueueProvider inner, JobQueueWake wake) : IPersistentJobQueueProvider
{
    /// <inheritdoc />
    public IPersistentJobQueue GetJobQueue() => new WakingJobQueue(inner.GetJobQueue(), wake);

    /// <inheritdoc />
    public IPersistentJobQueueMonitoringApi GetJobQueueMonitoringApi() => inner.GetJobQueueMonitoringApi();
}
