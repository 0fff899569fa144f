using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>Finds queries whose worker stopped renewing its lease, and re-runs or fails them.</summary>
public sealed class QueryLeaseStore(NpgsqlDataSource dataSource)
{
    private const string LapsedSql = """
        SELECT query_uuid AS QueryUuid, attempt AS Attempt, executing_server AS ExecutingServer,
               results_upload_key AS UploadKey, results_upload_id AS UploadId
        FROM query_history
        WHERE status = 'executing' AND joined_query_uuid IS NULL AND heartbeat_at < now() - @leaseTimeout
        ORDER BY heartbeat_at
        LIMIT 100
        """;

    // Conditional on the same attempt and a still-lapsed lease: a worker that came back to life keeps its query.
    private const string RequeueSql = $"""
        WITH changed AS (
            UPDATE query_history
            SET status = 'queued', processing_started_at = NULL, heartbeat_at = NULL, executing_server = NULL,
                results_upload_key = NULL, results_upload_id = NULL, holds_slot = false
            WHERE query_uuid = @queryUuid AND status = 'executing' AND attempt = @attempt AND heartbeat_at < now() - @leaseTimeout
            RETURNING query_uuid, status)
        SELECT count(*) FROM (SELECT pg_notify('{QueryHistoryStore.StatusChannel}', query_uuid::text || ':' || status) FROM changed) AS notified
        """;

    // A worker renews its heartbeat as long as it holds a slot; a slot whose heartbeat lapsed belongs to a dead worker.
    private const string ReleaseLapsedSlotsSql = """
        UPDATE query_history SET holds_slot = false
        WHERE holds_slot AND (heartbeat_at IS NULL OR heartbeat_at < now() - @leaseTimeout)
        """;

    /// <summary>Frees the slots of workers that died; returns how many.</summary>
    public async Task<int> ReleaseLapsedSlotsAsync(TimeSpan leaseTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(ReleaseLapsedSlotsSql, new { leaseTimeout }, cancellationToken: cancellationToken));
    }

    /// <summary>A running query whose lease lapsed.</summary>
    /// <param name="QueryUuid">The query.</param>
    /// <param name="Attempt">The attempt that stopped.</param>
    /// <param name="ExecutingServer">The server that ran it.</param>
    /// <param name="UploadKey">The key of the multipart upload it left, if any.</param>
    /// <param name="UploadId">That upload's id.</param>
    public sealed record LapsedQuery(Guid QueryUuid, int Attempt, string? ExecutingServer, string? UploadKey, string? UploadId);

    /// <summary>Queries executing whose heartbeat is older than <paramref name="leaseTimeout"/>.</summary>
    public async Task<IReadOnlyList<LapsedQuery>> FindLapsedAsync(TimeSpan leaseTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<LapsedQuery>(new CommandDefinition(LapsedSql, new { leaseTimeout }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Puts a lapsed query back in the queue; false when its worker renewed the lease meanwhile.</summary>
    public async Task<bool> RequeueAsync(LapsedQuery query, TimeSpan leaseTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            RequeueSql, new { queryUuid = query.QueryUuid, attempt = query.Attempt, leaseTimeout }, cancellationToken: cancellationToken)) == 1;
    }
}
