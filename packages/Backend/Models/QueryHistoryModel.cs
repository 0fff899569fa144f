using System.Text.Json;
using Dapper;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Common;
using Npgsql;

namespace Lightdash.Net.Backend.Models;

/// <summary>
/// Reads and writes <c>query_history</c>. Every status change is conditional on the current status,
/// so a late writer (a worker finishing after a cancel, say) can never overwrite a final state.
/// </summary>
public sealed class QueryHistoryModel(NpgsqlDataSource dataSource)
{
    private const string SelectColumns = """
        query_uuid AS QueryUuid, project_uuid AS ProjectUuid, created_at AS CreatedAt, context AS Context,
        default_page_size AS DefaultPageSize, compiled_sql AS CompiledSql,
        (request_parameters ->> 'limit')::bigint AS RowLimit, status AS StatusName, error AS Error,
        errored_at AS ErroredAt, cache_key AS CacheKey, warehouse_query_id AS WarehouseQueryId,
        warehouse_execution_time_ms AS WarehouseExecutionTimeMs, total_row_count AS TotalRowCount,
        columns::text AS ColumnsJson, results_file_name AS ResultsFileName, results_byte_size AS ResultsByteSize,
        results_index_block_rows AS ResultsIndexBlockRows, processing_started_at AS ProcessingStartedAt,
        finished_at AS FinishedAt
        """;

    private const string InsertSql = """
        INSERT INTO query_history (query_uuid, project_uuid, context, default_page_size, compiled_sql,
                                   request_parameters, status, cache_key)
        VALUES (@QueryUuid, @ProjectUuid, @Context, @DefaultPageSize, @CompiledSql,
                jsonb_build_object('limit', CAST(@RowLimit AS bigint)), 'pending', @CacheKey)
        """;

    private const string SelectByProjectSql = $"SELECT {SelectColumns} FROM query_history WHERE project_uuid = @projectUuid AND query_uuid = @queryUuid";

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
            UPDATE query_history SET status = 'executing', processing_started_at = now()
            WHERE query_uuid = @queryUuid AND status IN ('pending', 'queued')
            RETURNING *),
        notified AS (SELECT pg_notify('{StatusChannel}', query_uuid::text || ':' || status) FROM changed)
        SELECT {SelectColumns} FROM changed, (SELECT count(*) FROM notified) AS n
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
                results_created_at = now(), results_updated_at = now(), finished_at = now()
            WHERE query_uuid = @QueryUuid AND status = 'executing'
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    private const string MarkErrorSql = $"""
        WITH changed AS (
            UPDATE query_history SET status = 'error', error = @error, errored_at = now(), finished_at = now()
            WHERE query_uuid = @queryUuid AND status IN ('pending', 'queued', 'executing')
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    private const string CancelSql = $"""
        WITH changed AS (
            UPDATE query_history SET status = 'cancelled', finished_at = now()
            WHERE query_uuid = @queryUuid AND status IN ('pending', 'queued', 'executing')
            RETURNING query_uuid, status)
        {NotifyChanged}
        """;

    private const string SelectStatusesSql = "SELECT query_uuid AS QueryUuid, status AS Status FROM query_history WHERE query_uuid = ANY(@queryUuids)";

    private const string ListSql = $"""
        SELECT {SelectColumns}
        FROM query_history
        WHERE project_uuid = @projectUuid AND (@statuses::text[] IS NULL OR status = ANY(@statuses))
        ORDER BY created_at DESC, query_uuid
        LIMIT @limit OFFSET @offset
        """;

    private const string CountSql = "SELECT count(*) FROM query_history WHERE project_uuid = @projectUuid AND (@statuses::text[] IS NULL OR status = ANY(@statuses))";

    /// <summary>Records a new <c>pending</c> query.</summary>
    public async Task CreateAsync(NewQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertSql, query, cancellationToken: cancellationToken));
    }

    /// <summary>The query of this project, or a 404 (also when it belongs to another project).</summary>
    public async Task<QueryHistoryRecord> GetAsync(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<QueryHistoryRecord>(
                new CommandDefinition(SelectByProjectSql, new { projectUuid, queryUuid }, cancellationToken: cancellationToken))
            ?? throw new NotFoundException($"Query {queryUuid} does not exist in project {projectUuid}.");
    }

    /// <summary>The query, or null.</summary>
    public async Task<QueryHistoryRecord?> FindAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<QueryHistoryRecord>(
            new CommandDefinition(SelectSql, new { queryUuid }, cancellationToken: cancellationToken));
    }

    /// <summary><c>pending</c> to <c>queued</c>; false when a worker already moved it on.</summary>
    public Task<bool> MarkQueuedAsync(Guid queryUuid, CancellationToken cancellationToken) =>
        ExecuteUpdateAsync(MarkQueuedSql, new { queryUuid }, cancellationToken);

    /// <summary>Claims the query for a worker (<c>pending</c>/<c>queued</c> to <c>executing</c>); null when it is no longer claimable.</summary>
    public async Task<QueryHistoryRecord?> TryStartExecutingAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<QueryHistoryRecord>(
            new CommandDefinition(StartExecutingSql, new { queryUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>Records the warehouse's id of the running query and, once known, its time to first row.</summary>
    public async Task SetWarehouseQueryAsync(Guid queryUuid, string? warehouseQueryId, long? warehouseExecutionTimeMs, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SetWarehouseQueryIdSql, new { queryUuid, warehouseQueryId, warehouseExecutionTimeMs }, cancellationToken: cancellationToken));
    }

    /// <summary><c>executing</c> to <c>ready</c> with the stored results; false when the query left <c>executing</c> meanwhile.</summary>
    public Task<bool> MarkReadyAsync(Guid queryUuid, StoredResults results, CancellationToken cancellationToken) =>
        ExecuteUpdateAsync(
            MarkReadySql,
            new
            {
                QueryUuid = queryUuid,
                results.TotalRowCount,
                Columns = JsonSerializer.Serialize(results.Columns, ColumnsJson.Options),
                results.ResultsFileName,
                results.ByteSize,
                results.IndexBlockRows,
                results.WarehouseExecutionTimeMs,
            },
            cancellationToken);

    /// <summary>Any active status to <c>error</c>; false when the query already reached a final state.</summary>
    public Task<bool> MarkErrorAsync(Guid queryUuid, string error, CancellationToken cancellationToken) =>
        ExecuteUpdateAsync(MarkErrorSql, new { queryUuid, error }, cancellationToken);

    /// <summary>A page of a project's queries, newest first, optionally only those with one of <paramref name="statuses"/>; and how many match in all.</summary>
    public async Task<(IReadOnlyList<QueryHistoryRecord> Page, long Total)> ListAsync(
        Guid projectUuid, IReadOnlyCollection<QueryStatus>? statuses, int limit, long offset, CancellationToken cancellationToken)
    {
        var names = statuses is { Count: > 0 } ? statuses.Select(s => s.ToName()).ToArray() : null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var page = (await connection.QueryAsync<QueryHistoryRecord>(
            new CommandDefinition(ListSql, new { projectUuid, statuses = names, limit, offset }, cancellationToken: cancellationToken))).ToList();
        var total = offset == 0 && page.Count < limit
            ? page.Count
            : await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountSql, new { projectUuid, statuses = names }, cancellationToken: cancellationToken));
        return (page, total);
    }

    /// <summary>Any active status to <c>cancelled</c>; false when the query already reached a final state.</summary>
    public Task<bool> CancelAsync(Guid queryUuid, CancellationToken cancellationToken) =>
        ExecuteUpdateAsync(CancelSql, new { queryUuid }, cancellationToken);

    /// <summary>The current status of each of these queries.</summary>
    public async Task<IReadOnlyList<(Guid QueryUuid, QueryStatus Status)>> GetStatusesAsync(IReadOnlyCollection<Guid> queryUuids, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid QueryUuid, string Status)>(
            new CommandDefinition(SelectStatusesSql, new { queryUuids = queryUuids.ToArray() }, cancellationToken: cancellationToken));
        return rows.Select(r => (r.QueryUuid, QueryStatusNames.Parse(r.Status))).ToList();
    }

    // Status changes select the number of rows they changed (and announced): 1, or 0 when the row was not in a state it could leave.
    private async Task<bool> ExecuteUpdateAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)) == 1;
    }
}
