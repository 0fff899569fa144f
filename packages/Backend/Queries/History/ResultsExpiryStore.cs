using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>The sweeps of <c>query_history</c> that end results: expiry, forgetting deleted files, retention.</summary>
public sealed class ResultsExpiryStore(NpgsqlDataSource dataSource)
{
    private const string ExpireSql = $"""
        WITH changed AS (
            UPDATE query_history
            SET status = 'expired',
                error = CASE WHEN status IN ({QueryStatusTransitions.Waiting})
                             THEN 'The query waited in the queue longer than ' || @maxQueueTime::text || ' and was not run. Run it again.'
                             ELSE error END,
                errored_at = CASE WHEN status IN ({QueryStatusTransitions.Waiting}) THEN now() ELSE errored_at END,
                finished_at = coalesce(finished_at, now())
            WHERE (status IN ({QueryStatusTransitions.Finished}) AND results_expires_at <= now())
               OR (status IN ({QueryStatusTransitions.Waiting}) AND created_at < now() - @maxQueueTime)
            RETURNING query_uuid, status)
        SELECT count(*) FROM (SELECT pg_notify('{QueryHistoryStore.StatusChannel}', query_uuid::text || ':' || status) FROM changed) AS notified
        """;

    // Files of expired rows that no live row (ready, or still running) points at.
    private const string UnreferencedFilesSql = """
        SELECT DISTINCT e.results_file_name FROM query_history e
        WHERE e.status = 'expired' AND e.results_file_name IS NOT NULL
          AND NOT EXISTS (
              SELECT 1 FROM query_history live
              WHERE live.results_file_name = e.results_file_name AND live.status IN ('ready', 'pending', 'queued', 'executing'))
        LIMIT @limit
        """;

    private const string ForgetFileSql = "UPDATE query_history SET results_file_name = NULL WHERE results_file_name = @fileName AND status = 'expired'";

    private const string DeleteOldSql = """
        DELETE FROM query_history
        WHERE created_at < now() - @retention AND status IN ('expired', 'error', 'cancelled') AND results_file_name IS NULL
        """;

    /// <summary>Marks ready and failed rows past their expiry, and queries queued too long, <c>expired</c>; returns how many.</summary>
    public async Task<long> ExpireAsync(TimeSpan maxQueueTime, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(ExpireSql, new { maxQueueTime }, cancellationToken: cancellationToken));
    }

    /// <summary>Up to <paramref name="limit"/> results files that only expired rows point at.</summary>
    public async Task<IReadOnlyList<string>> FindUnreferencedFilesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(UnreferencedFilesSql, new { limit }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Records that a file was deleted: expired rows no longer point at it.</summary>
    public async Task ForgetFileAsync(string fileName, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(ForgetFileSql, new { fileName }, cancellationToken: cancellationToken));
    }

    /// <summary>Deletes final rows older than <paramref name="retention"/> that hold no results; returns how many.</summary>
    public async Task<int> DeleteOldHistoryAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteOldSql, new { retention }, cancellationToken: cancellationToken));
    }
}
