using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// Holds a request until a query leaves pending/queued/executing, woken by the status change
/// PostgreSQL announces (on any instance), not by polling. The row is re-read at most every few
/// seconds as well, so a missed notification costs a little latency, never the answer.
/// </summary>
public sealed class QueryWaiter(QueryHistoryStore history, QueryStatusBroadcast broadcast)
{
    private static readonly TimeSpan SafetyRecheck = TimeSpan.FromSeconds(5);

    /// <summary>Waits up to <paramref name="wait"/> for the query to reach a final state; returns its latest row.</summary>
    public async Task<QueryHistoryRecord?> WaitForFinalStateAsync(Guid queryUuid, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            // Subscribe before reading, so a change between the read and the wait is not missed.
            var changed = broadcast.NextChangeOf(queryUuid);
            var query = await history.FindAsync(queryUuid, cancellationToken);
            var remaining = deadline - DateTime.UtcNow;
            if (query is null || !query.Status.IsActive() || remaining <= TimeSpan.Zero)
            {
                return query;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(remaining < SafetyRecheck ? remaining : SafetyRecheck, timeout.Token);
            await Task.WhenAny(changed, delay);
            await timeout.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
