using Npgsql;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>
/// Reads and writes <c>query_history</c>. Every status change is conditional on the current status,
/// so a late writer (a worker finishing after a cancel, say) can never overwrite a final state.
/// </summary>
public sealed partial class QueryHistoryStore(NpgsqlDataSource dataSource)
{
    private const string SelectColumns = """
        query_uuid AS QueryUuid, project_uuid AS ProjectUuid, created_by_user_uuid AS CreatedByUserUuid, created_at AS CreatedAt, context AS Context,
        default_page_size AS DefaultPageSize, compiled_sql AS CompiledSql,
        (request_parameters ->> 'limit')::bigint AS RowLimit, statement_timeout_ms AS StatementTimeoutMs, rows_written AS RowsWritten,
        bytes_written AS BytesWritten, cancel_if_unread_ms AS CancelIfUnreadMs, last_read_at AS LastReadAt, status AS StatusName, error AS Error, error_sql_state AS ErrorSqlState,
        errored_at AS ErroredAt, cache_key AS CacheKey, warehouse_query_id AS WarehouseQueryId,
        warehouse_execution_time_ms AS WarehouseExecutionTimeMs, total_row_count AS TotalRowCount,
        columns::text AS ColumnsJson, results_file_name AS ResultsFileName, results_byte_size AS ResultsByteSize,
        results_index_block_rows AS ResultsIndexBlockRows, processing_started_at AS ProcessingStartedAt,
        finished_at AS FinishedAt, results_created_at AS ResultsCreatedAt, results_expires_at AS ResultsExpiresAt,
        joined_query_uuid AS JoinedQueryUuid, cache_hit AS CacheHit, attempt AS Attempt, fields::text AS FieldsJson,
        metric_query::text AS MetricQueryJson, (request_parameters -> 'parameters')::text AS ParametersJson,
        (request_parameters -> 'bindings')::text AS BindingsJson, priority AS PriorityName, callback_url AS CallbackUrl,
        callback_secret AS CallbackSecret, callback_state AS CallbackState,
        compose_references::text AS ComposeReferencesJson, trace_parent AS TraceParent,
        results_upload_key AS ResultsUploadKey
        """;

    /// <summary>The INSERT of a new row; <c>@Status</c>, <c>@JoinedQueryUuid</c> and <c>@Started</c> say how it starts.</summary>
    internal const string InsertSql = """
        INSERT INTO query_history (query_uuid, project_uuid, context, default_page_size, compiled_sql,
                                   request_parameters, status, cache_key, joined_query_uuid, processing_started_at, created_by_user_uuid,
                                   metric_query, fields, statement_timeout_ms, cancel_if_unread_ms, compose_references, trace_parent,
                                   priority, callback_url, callback_secret, callback_state)
        VALUES (@QueryUuid, @ProjectUuid, @Context, @DefaultPageSize, @CompiledSql,
                jsonb_strip_nulls(jsonb_build_object('limit', CAST(@RowLimit AS bigint), 'parameters', CAST(@ParametersJson AS jsonb), 'bindings', CAST(@BindingsJson AS jsonb))), @Status, @CacheKey, @JoinedQueryUuid,
                CASE WHEN @Started THEN now() END, @CreatedByUserUuid, CAST(@MetricQueryJson AS jsonb), CAST(@FieldsJson AS jsonb), @StatementTimeoutMs, @CancelIfUnreadMs,
                CAST(@ComposeReferencesJson AS jsonb), @TraceParent,
                @Priority, @CallbackUrl, @CallbackSecret, CASE WHEN @CallbackUrl IS NOT NULL THEN 'waiting' END)
        """;

    // Queries belong to their creator: another user's query is as absent as one that never existed.
    private const string SelectByProjectSql = $"""
        SELECT {SelectColumns} FROM query_history
        WHERE project_uuid = @projectUuid AND query_uuid = @queryUuid AND created_by_user_uuid IS NOT DISTINCT FROM @userUuid
        """;

    private const string SelectSql = $"SELECT {SelectColumns} FROM query_history WHERE query_uuid = @queryUuid";

    /// <summary>The PostgreSQL channel on which every status change is announced as <c>{queryUuid}:{status}</c>.</summary>
    public const string StatusChannel = "lightdash_query_status";

    private const string MarkQueuedSql = $"""
        WITH changed AS (
            UPDATE query_history SET status = 'queued' WHERE query_uuid = @queryUuid AND status = 'pending'
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    // Announces the rows of a "changed" CTE on the status channel (delivered on commit) and counts them.
    private const string NotifyChanged = $"SELECT count(*) FROM (SELECT pg_notify('{StatusChannel}', query_uuid::text || ':' || status) FROM changed) AS notified";

    private const string StartExecutingSql = $"""
        WITH changed AS (
            UPDATE query_history
            SET status = 'executing', processing_started_at = now(), heartbeat_at = now(),
                executing_server = @server, attempt = attempt + 1, holds_slot = true, held_since = NULL, woken_at = NULL
            WHERE query_uuid = @queryUuid AND status IN ({QueryStatusTransitions.Waiting})
            RETURNING *),
        notified AS (SELECT pg_notify('{StatusChannel}', query_uuid::text || ':' || status) FROM changed)
        SELECT {SelectColumns} FROM changed, (SELECT count(*) FROM notified) AS n
        """;

    // Followers (single flight) show that the work they wait for has started.
    private const string StartFollowersSql = $"""
        WITH changed AS (
            UPDATE query_history SET status = 'executing', processing_started_at = now()
            WHERE joined_query_uuid = @queryUuid AND status IN ({QueryStatusTransitions.Waiting})
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    private const string LockSql = "SELECT status FROM query_history WHERE query_uuid = @queryUuid FOR UPDATE";

    private const string ClaimableOwnerSql = $"""
        SELECT q.created_by_user_uuid AS CreatedByUserUuid, q.project_uuid AS ProjectUuid, p.max_warehouse_statements AS MaxWarehouseStatements, q.context AS Context
        FROM query_history q LEFT JOIN projects p ON p.project_uuid = q.project_uuid
        WHERE q.query_uuid = @queryUuid AND q.status IN ({QueryStatusTransitions.Waiting})
        FOR UPDATE OF q
        """;

    /// <summary>A project's slot lock (its warehouse cap is counted under it); the wake of held queries takes it too.</summary>
    internal const string ProjectLockSql = "SELECT pg_advisory_xact_lock(hashtext('lightdash-net project slots'), hashtext(@key))";

    private const string ProjectExecutingSql = "SELECT count(*) FROM query_history WHERE project_uuid = @projectUuid AND holds_slot";

    /// <summary>A user's slot lock (their executing queries are counted under it); the wake of held queries takes it too.</summary>
    internal const string UserLockSql = "SELECT pg_advisory_xact_lock(hashtextextended('executing:' || @key, 0))";

    // Slots, not statuses: a cancelled query whose warehouse statement still runs keeps its slot.
    private const string UserExecutingSql = """
        SELECT count(*) FROM query_history WHERE created_by_user_uuid = @userUuid AND holds_slot
        """;

    // The server's slots held by interactive work: the fair share is a rule of the workers people wait on.
    private const string ServerExecutingSql = """
        SELECT count(*) FROM query_history WHERE executing_server = @server AND holds_slot AND NOT (context = ANY(@batchContexts))
        """;

    private const string ServerLockSql = "SELECT pg_advisory_xact_lock(hashtext('lightdash-net server slots'), hashtext(@server))";

    private const string ProgressSql = """
        UPDATE query_history SET rows_written = @rows, bytes_written = @bytes
        WHERE query_uuid = @queryUuid AND attempt = @attempt AND status = 'executing'
        """;

    // Queries that wait ahead of this one on the shared workers, its user's slots, and its project's slots against its cap.
    private const string QueuePlaceSql = $"""
        SELECT (SELECT count(*) FROM query_history o
                WHERE o.status IN ({QueryStatusTransitions.Waiting}) AND o.joined_query_uuid IS NULL AND o.created_at < q.created_at) + 1,
               (SELECT count(*) FROM query_history s WHERE s.created_by_user_uuid = q.created_by_user_uuid AND s.holds_slot),
               (SELECT count(*) FROM query_history w WHERE w.project_uuid = q.project_uuid AND w.holds_slot),
               (SELECT p.max_warehouse_statements FROM projects p WHERE p.project_uuid = q.project_uuid)
        FROM query_history q WHERE q.query_uuid = @queryUuid
        """;

    private const string ReleaseSlotSql = """
        UPDATE query_history SET holds_slot = false WHERE query_uuid = @queryUuid AND attempt = @attempt AND holds_slot
        """;

    // Copies a finished leader's outcome to the queries that joined it. Runs after the leader's row
    // is locked and updated, in the same transaction, so a follower that joined a moment before is seen.
    private const string PropagateToFollowersSql = $"""
        WITH leader AS (SELECT * FROM query_history WHERE query_uuid = @queryUuid),
        changed AS (
            UPDATE query_history f
            SET status = l.status, error = l.error, error_sql_state = l.error_sql_state, errored_at = l.errored_at, total_row_count = l.total_row_count,
                columns = l.columns, results_file_name = l.results_file_name, results_byte_size = l.results_byte_size,
                results_index_block_rows = l.results_index_block_rows, warehouse_query_id = l.warehouse_query_id,
                warehouse_execution_time_ms = l.warehouse_execution_time_ms, results_created_at = l.results_created_at,
                results_updated_at = l.results_updated_at, results_expires_at = l.results_expires_at,
                processing_started_at = coalesce(f.processing_started_at, l.processing_started_at), finished_at = l.finished_at
            FROM leader l
            WHERE f.joined_query_uuid = l.query_uuid AND f.status IN ({QueryStatusTransitions.Active})
            RETURNING f.query_uuid, f.status)
        {NotifyChanged}
        """;

    private const string SetWarehouseQueryIdSql = """
        UPDATE query_history
        SET warehouse_query_id = @warehouseQueryId,
            warehouse_execution_time_ms = coalesce(@warehouseExecutionTimeMs, warehouse_execution_time_ms)
        WHERE query_uuid = @queryUuid AND status = 'executing'
        """;

    private const string MarkReadySql = $"""
        WITH changed AS (
            UPDATE query_history
            SET status = 'ready', total_row_count = @TotalRowCount, columns = @Columns::jsonb,
                results_file_name = @ResultsFileName, results_byte_size = @ByteSize,
                results_index_block_rows = @IndexBlockRows, warehouse_execution_time_ms = @WarehouseExecutionTimeMs,
                results_created_at = now(), results_updated_at = now(), finished_at = now(),
                results_expires_at = now() + @ExpiresAfter, results_upload_key = NULL, results_upload_id = NULL
            WHERE query_uuid = @QueryUuid AND status IN ({QueryStatusTransitions.Running}) AND attempt = @Attempt
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    private const string MarkErrorSql = $"""
        WITH changed AS (
            UPDATE query_history SET status = 'error', error = @error, error_sql_state = @sqlState, errored_at = now(), finished_at = now(),
                results_expires_at = now() + @expiresAfter, results_upload_key = NULL, results_upload_id = NULL
            WHERE query_uuid = @queryUuid AND status IN ({QueryStatusTransitions.Active})
              AND (CAST(@attempt AS integer) IS NULL OR attempt = @attempt)
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    // Renewed while the query executes, and while a cancelled one still holds its slot (its warehouse
    // statement has not ended yet); answers whether the query still executes.
    private const string HeartbeatSql = """
        UPDATE query_history SET heartbeat_at = now()
        WHERE query_uuid = @queryUuid AND attempt = @attempt AND (status = 'executing' OR holds_slot)
        RETURNING status = 'executing'
        """;

    // Announced on the status channel (the status is unchanged): instances that hold the running query's row
    // in memory read it again, and so see its live pages as soon as they exist.
    private const string RecordUploadSql = $"""
        WITH changed AS (
            UPDATE query_history SET results_upload_key = @key, results_upload_id = @uploadId WHERE query_uuid = @queryUuid
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    private const string CancelSql = $"""
        WITH changed AS (
            UPDATE query_history SET status = 'cancelled', finished_at = now()
            WHERE query_uuid = @queryUuid AND status IN ({QueryStatusTransitions.Active})
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    private const string MarkReadSql = "UPDATE query_history SET last_read_at = now() WHERE query_uuid = @queryUuid";

    // Only a query that asked for it, and only once nobody read it for its time.
    private const string CancelUnreadSql = $"""
        WITH changed AS (
            UPDATE query_history
            SET status = 'cancelled', finished_at = now(),
                error = 'Cancelled: nobody read this query for ' || (cancel_if_unread_ms / 1000.0)::text || ' s (cancelIfUnreadSeconds).'
            WHERE query_uuid = @queryUuid AND status IN ({QueryStatusTransitions.Active}) AND cancel_if_unread_ms IS NOT NULL
              AND coalesce(last_read_at, created_at) < now() - cancel_if_unread_ms * interval '1 millisecond'
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    private const string SelectStatusesSql = "SELECT query_uuid AS QueryUuid, status AS Status FROM query_history WHERE query_uuid = ANY(@queryUuids)";

    private const string ListSql = $"""
        SELECT {SelectColumns}
        FROM query_history
        WHERE project_uuid = @projectUuid AND created_by_user_uuid IS NOT DISTINCT FROM @userUuid
          AND (@statuses::text[] IS NULL OR status = ANY(@statuses))
        ORDER BY created_at DESC, query_uuid
        LIMIT @limit OFFSET @offset
        """;

    private const string CountSql = """
        SELECT count(*) FROM query_history
        WHERE project_uuid = @projectUuid AND created_by_user_uuid IS NOT DISTINCT FROM @userUuid
          AND (@statuses::text[] IS NULL OR status = ANY(@statuses))
        """;

    private const string DeleteSql = "DELETE FROM query_history WHERE query_uuid = @queryUuid RETURNING results_file_name";

    private const string FileReferencedSql = "SELECT EXISTS (SELECT 1 FROM query_history WHERE results_file_name = @fileName)";
}
