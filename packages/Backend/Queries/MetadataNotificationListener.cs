using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;
using Npgsql;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// The one listener of the metadata database's notifications, handing each channel to its owner:
/// <see cref="QueryHistoryStore.StatusChannel"/> (every status change of <c>query_history</c>: wakes
/// waiting requests, and stops the queries running here once they are no longer
/// <c>executing</c>, for a user cancelled them on some instance) and
/// <see cref="UserStore.TokenRevokedChannel"/> (the token cache forgets revoked tokens) and
/// <see cref="ModelVersionStore.ChangedChannel"/> (a project's models were deployed or refreshed:
/// its explores are loaded again). After a reconnect, and every few
/// seconds while queries run, it also compares the running queries with their stored status, so a
/// missed notification delays a cancel but never loses it.
/// </summary>
public sealed class MetadataNotificationListener(
    NpgsqlDataSource dataSource,
    QueryHistoryStore history,
    RunningQueries running,
    QueryStatusBroadcast broadcast,
    TokenCache tokens,
    ExploreRegistry explores,
    ILogger<MetadataNotificationListener> logger) : BackgroundService
{
    private static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
            {
                logger.LogWarning(e, "Query status listener lost its connection; reconnecting");
                broadcast.Reset();
                tokens.Clear();
                explores.InvalidateAll();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += (_, e) =>
        {
            if (e.Channel == UserStore.TokenRevokedChannel)
            {
                if (Guid.TryParse(e.Payload, out var tokenUuid))
                {
                    tokens.Evict(tokenUuid);
                }
            }
            else if (e.Channel == ModelVersionStore.ChangedChannel)
            {
                if (Guid.TryParse(e.Payload, out var projectUuid))
                {
                    explores.Invalidate(projectUuid);
                }
            }
            else
            {
                OnNotification(e.Payload);
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {QueryHistoryStore.StatusChannel}; LISTEN {UserStore.TokenRevokedChannel}; LISTEN {ModelVersionStore.ChangedChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        broadcast.Reset();
        tokens.Clear();
        explores.InvalidateAll(); // announcements made while not listening are not replayed
        while (!stoppingToken.IsCancellationRequested)
        {
            await ReconcileAsync(stoppingToken);
            await connection.WaitAsync(ReconcileInterval, stoppingToken);
        }
    }

    private void OnNotification(string payload)
    {
        var separator = payload.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0 || !Guid.TryParse(payload.AsSpan(0, separator), out var queryUuid) ||
            !QueryStatusNames.TryParse(payload[(separator + 1)..], out var status))
        {
            return;
        }

        broadcast.Publish(queryUuid, status);
        if (status == QueryStatus.Cancelled && running.Cancel(queryUuid))
        {
            logger.LogInformation("Query {QueryUuid} cancelled; stopping it", queryUuid);
        }
    }

    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        var ids = running.Ids;
        if (ids.Count == 0)
        {
            return;
        }

        foreach (var (queryUuid, status) in await history.GetStatusesAsync(ids, stoppingToken))
        {
            if (status == QueryStatus.Cancelled && running.Cancel(queryUuid))
            {
                logger.LogInformation("Query {QueryUuid} found cancelled; stopping it", queryUuid);
            }
        }
    }
}
