using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// Every status change of <c>query_history</c> (<see cref="QueryHistoryStore.StatusChannel"/>): wakes
/// the requests waiting for it, and stops the queries running here once they are cancelled on any
/// instance. Every few seconds while queries run here, their stored status is checked too, so a missed
/// notification delays a cancel but never loses it. A query that ended has its completion callback
/// started (see <see cref="QueryCallbackJob"/>).
/// </summary>
public sealed class QueryStatusNotifications(
    QueryHistoryStore history,
    RunningQueries running,
    QueryStatusBroadcast broadcast,
    QueryStatusCache statuses,
    QueryCallbackJob callbacks,
    ILogger<QueryStatusNotifications> logger) : IMetadataNotificationHandler
{
    /// <inheritdoc />
    public string Channel => QueryHistoryStore.StatusChannel;

    /// <inheritdoc />
    public void OnNotification(string payload)
    {
        var separator = payload.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0 || !Guid.TryParse(payload.AsSpan(0, separator), out var queryUuid) ||
            !QueryStatusNames.TryParse(payload[(separator + 1)..], out var status))
        {
            return;
        }

        statuses.Invalidate(queryUuid);
        broadcast.Publish(queryUuid, status);
        if (!status.IsActive())
        {
            // Off the listener's connection: a query with a completion callback has it sent (by one instance).
            _ = Task.Run(() => StartCallbackAsync(queryUuid));
        }

        if (status == QueryStatus.Cancelled && running.Cancel(queryUuid))
        {
            logger.LogInformation("Query {QueryUuid} cancelled; stopping it", queryUuid);
        }
    }

    /// <inheritdoc />
    public void OnMissedNotifications()
    {
        statuses.Clear();
        broadcast.Reset();
    }

    /// <inheritdoc />
    public void OnListening(bool listening) => statuses.SetListening(listening);

    private async Task StartCallbackAsync(Guid queryUuid)
    {
        try
        {
            await callbacks.StartIfEndedAsync(queryUuid, CancellationToken.None);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The periodic sweep sends it later.
            logger.LogWarning(e, "Callback of query {QueryUuid} not started now; the sweep will", queryUuid);
        }
    }

    /// <inheritdoc />
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var ids = running.Ids;
        if (ids.Count == 0)
        {
            return;
        }

        foreach (var (queryUuid, status) in await history.GetStatusesAsync(ids, cancellationToken))
        {
            if (status == QueryStatus.Cancelled && running.Cancel(queryUuid))
            {
                logger.LogInformation("Query {QueryUuid} found cancelled; stopping it", queryUuid);
            }
        }
    }
}
