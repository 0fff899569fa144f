using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>
/// The rows of <c>query_history</c> that share work: cache hits (a new row pointing at an earlier,
/// still fresh result) and single flight (a new row that joins an identical query still running).
/// </summary>
public sealed class QueryCacheStore(NpgsqlDataSource dataSource)
{
    // The newest ready result of the same key with enough life left, locked so that it cannot be
    // deleted while the new row is written; the new row copies where the results are.
    private const string CreateCacheHitSql = """
        WITH source AS (
            SELECT * FROM query_history
            WHERE project_uuid = @ProjectUuid AND cache_key = @CacheKey AND status = 'ready'
              AND results_expires_at > now() + @Buffer
            ORDER BY results_created_at DESC
            LIMIT 1
            FOR SHARE),
        inserted AS (
            INSERT INTO query_history (query_uuid, project_uuid, created_by_user_uuid, metric_query, fields, context, default_page_size, compiled_sql, request_parameters,
                                       priority, callback_url, callback_secret, callback_state,
                                       status, cache_key, cache_hit, total_row_count, columns, results_file_name,
                                       results_byte_size, results_index_block_rows, warehouse_execution_time_ms,
                                       results_created_at, results_updated_at, results_expires_at, processing_started_at, finished_at)
            SELECT @QueryUuid, @ProjectUuid, @CreatedByUserUuid, CAST(@MetricQueryJson AS jsonb), CAST(@FieldsJson AS jsonb), @Context, @DefaultPageSize, @CompiledSql, jsonb_strip_nulls(jsonb_build_object('limit', CAST(@RowLimit AS bigint), 'parameters', CAST(@ParametersJson AS jsonb), 'bindings', CAST(@BindingsJson AS jsonb))),
                   @Priority, @CallbackUrl, @CallbackSecret, CASE WHEN @CallbackUrl IS NOT NULL THEN 'waiting' END,
                   'ready', @CacheKey, true, total_row_count, columns, results_file_name,
                   results_byte_size, results_index_block_rows, warehouse_execution_time_ms,
                   results_created_at, results_updated_at, results_expires_at, now(), now()
            FROM source
            RETURNING results_created_at, results_expires_at)
        SELECT results_created_at AS CreatedAt, results_expires_at AS ExpiresAt FROM inserted
        """;

    private const string FindLeaderSql = $"""
        SELECT query_uuid AS QueryUuid, status AS Status FROM query_history
        WHERE project_uuid = @projectUuid AND cache_key = @cacheKey AND joined_query_uuid IS NULL
          AND status IN ({QueryStatusTransitions.Active})
        ORDER BY created_at
        LIMIT 1
        FOR UPDATE
        """;

    private const string LockSql = "SELECT status FROM query_history WHERE query_uuid = @queryUuid FOR UPDATE";

    private const string SubmissionLockSql = "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))";

    private const string ActiveFollowersSql = $"""
        SELECT query_uuid FROM query_history
        WHERE joined_query_uuid = @queryUuid AND status IN ({QueryStatusTransitions.Active})
        ORDER BY created_at
        FOR UPDATE
        """;

    private const string PromoteSql = """
        UPDATE query_history SET joined_query_uuid = NULL, status = 'queued', processing_started_at = NULL
        WHERE query_uuid = @newLeader
        """;

    private const string RepointSql = $"""
        UPDATE query_history SET joined_query_uuid = @newLeader, status = 'queued', processing_started_at = NULL
        WHERE joined_query_uuid = @oldLeader AND status IN ({QueryStatusTransitions.Active}) AND query_uuid <> @newLeader
        """;

    private sealed record LeaderRow(Guid QueryUuid, string Status);

    /// <summary>When the reused result was stored and when it expires.</summary>
    /// <param name="CreatedAt">When the reused result was stored.</param>
    /// <param name="ExpiresAt">When it expires.</param>
    public sealed record CacheHit(DateTime CreatedAt, DateTime ExpiresAt);

    /// <summary>
    /// Records <paramref name="query"/> as <c>ready</c> at once when a result of the same cache key
    /// has more than <paramref name="buffer"/> of life left; null on a miss (nothing is written).
    /// </summary>
    public async Task<CacheHit?> TryCreateCacheHitAsync(NewQuery query, TimeSpan buffer, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CacheHit>(new CommandDefinition(
            CreateCacheHitSql,
            new { query.QueryUuid, query.ProjectUuid, query.CreatedByUserUuid, query.MetricQueryJson, query.FieldsJson, query.Context, query.DefaultPageSize, query.CompiledSql, query.RowLimit, query.ParametersJson, query.BindingsJson, query.CacheKey, query.Priority, query.CallbackUrl, query.CallbackSecret, Buffer = buffer },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records <paramref name="query"/>: joined to an identical query still running (which is locked
    /// meanwhile, so that it cannot finish unseen), or else as a new <c>pending</c> query. Submissions
    /// of one cache key are serialised by an advisory lock, so that of identical queries submitted at
    /// once exactly one runs. Returns the running query joined, or null when <paramref name="query"/>
    /// itself must run (the caller enqueues it).
    /// </summary>
    public async Task<Guid?> JoinOrCreateAsync(NewQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            SubmissionLockSql, new { key = $"{query.ProjectUuid}:{query.CacheKey}" }, transaction, cancellationToken: cancellationToken));
        var running = await connection.QuerySingleOrDefaultAsync<LeaderRow>(new CommandDefinition(
            FindLeaderSql, new { projectUuid = query.ProjectUuid, cacheKey = query.CacheKey }, transaction, cancellationToken: cancellationToken));
        var executing = running?.Status == "executing";
        await connection.ExecuteAsync(new CommandDefinition(
            QueryHistoryStore.InsertSql,
            running is null
                ? QueryHistoryStore.InsertParameters(query, "pending", null, false)
                : QueryHistoryStore.InsertParameters(query, executing ? "executing" : "queued", running.QueryUuid, executing),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return running?.QueryUuid;
    }

    /// <summary>
    /// After <paramref name="leaderUuid"/> was cancelled, the queries that joined it must not be lost:
    /// the oldest becomes a query of its own (queued, to be enqueued by the caller) and the others
    /// join it. Returns the new leader, or null when nobody had joined.
    /// </summary>
    public async Task<Guid?> PromoteFollowersAsync(Guid leaderUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(LockSql, new { queryUuid = leaderUuid }, transaction, cancellationToken: cancellationToken));
        var followers = (await connection.QueryAsync<Guid>(new CommandDefinition(
            ActiveFollowersSql, new { queryUuid = leaderUuid }, transaction, cancellationToken: cancellationToken))).ToList();
        if (followers.Count == 0)
        {
            return null;
        }

        var newLeader = followers[0];
        await connection.ExecuteAsync(new CommandDefinition(PromoteSql, new { newLeader }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(RepointSql, new { newLeader, oldLeader = leaderUuid }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return newLeader;
    }
}
