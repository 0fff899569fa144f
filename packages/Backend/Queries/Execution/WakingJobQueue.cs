using System.Data;
using Dapper;
using Hangfire.PostgreSql;
using Hangfire.Storage;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// Hangfire.PostgreSql's job queue, with the wake-up of <see cref="JobQueueWake"/>: an enqueue names
/// its queue on <see cref="JobQueueWake.ChannelName"/> in the enqueue's transaction (so the
/// announcement is heard once the job can be fetched, whichever instance or path queued it: a request,
/// the recurring scheduler, a delayed retry); a fetch waits with a token that the wake cancels, and
/// then looks again at once. The queue's own poll is the fallback for an announcement never heard.
/// </summary>
public sealed class WakingJobQueue(IPersistentJobQueue inner, JobQueueWake wake) : IPersistentJobQueue
{
    private const string AnnounceSql = $"SELECT pg_notify('{JobQueueWake.ChannelName}', @queue)";

    /// <inheritdoc />
    public IFetchedJob Dequeue(string[] queues, CancellationToken cancellationToken)
    {
        while (true)
        {
            var waiter = wake.Register(queues, cancellationToken);
            try
            {
                var fetched = inner.Dequeue(queues, waiter.Token);
                waiter.EndWithJob();
                return fetched;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Woken: a job was queued on one of these queues. Look again.
            }
            finally
            {
                waiter.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public void Enqueue(IDbConnection connection, string queue, string jobId)
    {
        inner.Enqueue(connection, queue, jobId);
        connection.Execute(AnnounceSql, new { queue });
    }
}
