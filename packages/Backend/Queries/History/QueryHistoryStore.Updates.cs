using System.Text.Json;
using Dapper;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Common;
using Lightdash.Net.Backend.Queries.Execution;
using Npgsql;

namespace Lightdash.Net.Backend.Queries.History;

// QueryHistoryStore, continued: updates.
public sealed partial class QueryHistoryStore
{
    /// <summary>Records a new <c>pending</c> query.</summary>
    public async Task CreateAsync(NewQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertSql, InsertParameters(query, "pending", null, false), cancellationToken: cancellationToken));
    }

    /// <summary>The parameters of <see cref="InsertSql"/>.</summary>
    internal static object InsertParameters(NewQuery query, string status, Guid? joinedQueryUuid, bool started) => new
    {
        query.QueryUuid,
        query.ProjectUuid,
        query.Context,
        query.DefaultPageSize,
        query.CompiledSql,
        query.RowLimit,
        Status = status,
        query.CacheKey,
        JoinedQueryUuid = joinedQueryUuid,
        Started = started,
        query.CreatedByUserUuid,
        query.MetricQueryJson,
        query.FieldsJson,
        query.StatementTimeoutMs,
        query.CancelIfUnreadMs,
        query.ParametersJson,
        query.ComposeReferencesJson,
        query.TraceParent,
        query.BindingsJson,
        query.Priority,
        query.CallbackUrl,
        query.CallbackSecret,
    };

    /// <summary>The user's query in this project, or a 404 (also when it belongs to another project or user).</summary>
    public async Task<QueryHistoryRecord> GetAsync(Guid projectUuid, Guid queryUuid, Guid? userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<QueryHistoryRecord>(
                new CommandDefinition(SelectByProjectSql, new { projectUuid, queryUuid, userUuid }, cancellationToken: cancellationToken))
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
    public async Task<QueryHistoryRecord?> TryStartExecutingAsync(Guid queryUuid, string server, CancellationToken cancellationToken) =>
        (await TryStartExecutingAsync(queryUuid, server, int.MaxValue, cancellationToken)).Started;

    /// <summary>What claiming a query for a worker found.</summary>
    /// <param name="Started">The claimed query, or null.</param>
    /// <param name="HeldBack">True when the query waits: its user already has the most queries executing or their fair share, or its project holds as many statements on its warehouse as it may.</param>
    public sealed record StartOutcome(QueryHistoryRecord? Started, bool HeldBack);

    /// <summary>
    /// Claims the query for a worker unless its creator already holds <paramref name="maxExecutingPerUser"/>
    /// slots (the count is taken under a per-user lock, so concurrent workers cannot both slip in).
    /// </summary>
    public Task<StartOutcome> TryStartExecutingAsync(Guid queryUuid, string server, int maxExecutingPerUser, CancellationToken cancellationToken) =>
        TryStartExecutingAsync(queryUuid, server, new SlotRules(maxExecutingPerUser, int.MaxValue), cancellationToken);

    /// <summary>
    /// How workers are shared. A user holds at most <paramref name="MaxPerUser"/> slots anywhere; on one
    /// server, a user who already holds a slot may not take one once <paramref name="SharedSlotsPerServer"/>
    /// are held there: the rest are kept for users with nothing running, so one or two users cannot make
    /// everyone else wait.
    /// </summary>
    public sealed record SlotRules(int MaxPerUser, int SharedSlotsPerServer, int MaxPerProject = int.MaxValue)
    {
        /// <summary>True when a project whose queries hold <paramref name="projectSlots"/> statements on its warehouse may open one more, under its own cap or the default.</summary>
        public bool AllowsProject(long projectSlots, int? projectCap) => projectSlots < (projectCap ?? MaxPerProject);

        /// <summary>True when a user who holds <paramref name="userSlots"/> slots anywhere may take one more.</summary>
        public bool AllowsUser(long userSlots) => userSlots < MaxPerUser;

        /// <summary>True when the server's count decides (the user already holds a slot and slots are shared).</summary>
        public bool AsksServer(long userSlots) => userSlots > 0 && SharedSlotsPerServer < int.MaxValue;

        /// <summary>True when a user who already holds a slot may take one of a server where <paramref name="serverSlots"/> are held.</summary>
        public bool AllowsOnServer(long serverSlots) => serverSlots < SharedSlotsPerServer;
    }

    /// <summary>Claims the query for a worker under <paramref name="rules"/>; the counts are taken under locks, so concurrent workers cannot both slip in.</summary>
    public async Task<StartOutcome> TryStartExecutingAsync(Guid queryUuid, string server, SlotRules rules, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var owner = await connection.QuerySingleOrDefaultAsync<OwnerRow>(new CommandDefinition(
            ClaimableOwnerSql, new { queryUuid }, transaction, cancellationToken: cancellationToken));
        if (owner is null)
        {
            return new StartOutcome(null, false);
        }

        if (owner.CreatedByUserUuid is { } userUuid && (rules.MaxPerUser < int.MaxValue || rules.SharedSlotsPerServer < int.MaxValue))
        {
            // Always the user's lock first, then the server's: no two workers wait on each other.
            await connection.ExecuteAsync(new CommandDefinition(UserLockSql, new { key = userUuid.ToString() }, transaction, cancellationToken: cancellationToken));
            var executing = await connection.ExecuteScalarAsync<long>(new CommandDefinition(UserExecutingSql, new { userUuid }, transaction, cancellationToken: cancellationToken));
            if (!rules.AllowsUser(executing))
            {
                return await HoldAsync(connection, transaction, queryUuid, cancellationToken);
            }

            // Batch work has workers of its own (their number is its bound): the fair share is interactive work's rule.
            if (rules.AsksServer(executing) && Workloads.ClassOf(owner.Context) == WorkloadClass.Interactive)
            {
                await connection.ExecuteAsync(new CommandDefinition(ServerLockSql, new { server }, transaction, cancellationToken: cancellationToken));
                var onServer = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    ServerExecutingSql, new { server, batchContexts = Workloads.BatchContexts }, transaction, cancellationToken: cancellationToken));
                if (!rules.AllowsOnServer(onServer))
                {
                    return await HoldAsync(connection, transaction, queryUuid, cancellationToken);
                }
            }
        }

        if (!await ProjectAllowsAsync(connection, transaction, owner, rules, cancellationToken))
        {
            return await HoldAsync(connection, transaction, queryUuid, cancellationToken);
        }

        var started = await connection.QuerySingleOrDefaultAsync<QueryHistoryRecord>(
            new CommandDefinition(StartExecutingSql, new { queryUuid, server }, transaction, cancellationToken: cancellationToken));
        if (started is not null)
        {
            await connection.ExecuteScalarAsync<long>(new CommandDefinition(StartFollowersSql, new { queryUuid }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return new StartOutcome(started, false);
    }

    // The query stays queued, marked held (committed under the locks that decided it): a released slot or the sweep wakes it.
    private static async Task<StartOutcome> HoldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid queryUuid, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(HoldSql, new { queryUuid }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new StartOutcome(null, true);
    }

    private const string HoldSql = "UPDATE query_history SET held_since = now(), woken_at = NULL WHERE query_uuid = @queryUuid";

    private sealed record OwnerRow(Guid? CreatedByUserUuid, Guid ProjectUuid, int? MaxWarehouseStatements, string Context);

    // The project's cap on statements open on its warehouse, counted across every instance under the project's lock.
    private static async Task<bool> ProjectAllowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, OwnerRow owner, SlotRules rules, CancellationToken cancellationToken)
    {
        if (owner.MaxWarehouseStatements is null && rules.MaxPerProject == int.MaxValue)
        {
            return true;
        }

        await connection.ExecuteAsync(new CommandDefinition(ProjectLockSql, new { key = owner.ProjectUuid.ToString() }, transaction, cancellationToken: cancellationToken));
        var projectSlots = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            ProjectExecutingSql, new { projectUuid = owner.ProjectUuid }, transaction, cancellationToken: cancellationToken));
        return rules.AllowsProject(projectSlots, owner.MaxWarehouseStatements);
    }

    private const string ProjectQueriesSql = $"""
        SELECT query_uuid FROM query_history WHERE project_uuid = @projectUuid AND status IN ({QueryStatusTransitions.Active});
        SELECT DISTINCT results_file_name FROM query_history WHERE project_uuid = @projectUuid AND results_file_name IS NOT NULL;
        """;

    /// <summary>A project's queries still running, and every results file its queries point at.</summary>
    public async Task<(IReadOnlyList<Guid> Active, IReadOnlyList<string> Files)> ProjectQueriesAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(ProjectQueriesSql, new { projectUuid }, cancellationToken: cancellationToken));
        var active = (await grid.ReadAsync<Guid>()).ToList();
        var files = (await grid.ReadAsync<string>()).ToList();
        return (active, files);
    }

    /// <summary>Records the warehouse's id of the running query and, once known, its time to first row.</summary>
    public async Task SetWarehouseQueryAsync(Guid queryUuid, string? warehouseQueryId, long? warehouseExecutionTimeMs, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SetWarehouseQueryIdSql, new { queryUuid, warehouseQueryId, warehouseExecutionTimeMs }, cancellationToken: cancellationToken));
    }

    /// <summary><c>executing</c> to <c>ready</c> with the stored results, kept for <paramref name="expiresAfter"/>; false when the query left <c>executing</c> meanwhile.</summary>
    /// <remarks>The queries that joined this one get the same result.</remarks>
    public Task<bool> MarkReadyAsync(Guid queryUuid, int attempt, StoredResults results, TimeSpan expiresAfter, CancellationToken cancellationToken) =>
        FinishAsync(
            queryUuid,
            MarkReadySql,
            new
            {
                QueryUuid = queryUuid,
                Attempt = attempt,
                results.TotalRowCount,
                Columns = JsonSerializer.Serialize(results.Columns, ColumnsJson.Options),
                results.ResultsFileName,
                results.ByteSize,
                results.IndexBlockRows,
                results.WarehouseExecutionTimeMs,
                ExpiresAfter = expiresAfter,
            },
            cancellationToken);

    /// <summary>Any active status to <c>error</c>; false when the query already reached a final state.</summary>
    /// <remarks>The queries that joined this one get the same error.</remarks>
    /// <param name="queryUuid">The query.</param>
    /// <param name="error">Why it failed.</param>
    /// <param name="expiresAfter">How long the failure stays visible as <c>error</c>.</param>
    /// <param name="attempt">The worker's attempt: a worker whose lease was taken over cannot fail the query; null for any.</param>
    /// <param name="cancellationToken">Stops the update.</param>
    /// <param name="sqlState">The warehouse's SQLSTATE of the error, when it gave one.</param>
    public Task<bool> MarkErrorAsync(Guid queryUuid, string error, TimeSpan expiresAfter, int? attempt, CancellationToken cancellationToken, string? sqlState = null) =>
        FinishAsync(queryUuid, MarkErrorSql, new { queryUuid, error, expiresAfter, attempt, sqlState }, cancellationToken);

    /// <summary>Renews the worker's lease; false when the query is no longer this attempt's to run.</summary>
    public async Task<bool> HeartbeatAsync(Guid queryUuid, int attempt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(HeartbeatSql, new { queryUuid, attempt }, cancellationToken: cancellationToken)) == true;
    }

    /// <summary>Records how far a running query's writing got (its worker calls this about once a second).</summary>
    public async Task SetProgressAsync(Guid queryUuid, int attempt, long rows, long bytes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(ProgressSql, new { queryUuid, attempt, rows, bytes }, cancellationToken: cancellationToken));
    }

    /// <summary>A waiting query's place in the queue (from 1) and how many slots its user holds.</summary>
    public async Task<QueuePlace> QueuePlaceAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (position, userSlots, projectSlots, projectCap) = await connection.QuerySingleOrDefaultAsync<(long, long, long, int?)>(
            new CommandDefinition(QueuePlaceSql, new { queryUuid }, cancellationToken: cancellationToken));
        return new QueuePlace(position, userSlots, projectSlots, projectCap);
    }

    /// <summary>Where a waiting query stands.</summary>
    /// <param name="Position">Queries waiting ahead of it, plus one.</param>
    /// <param name="UserSlots">Slots its user holds.</param>
    /// <param name="ProjectSlots">Slots its project's queries hold (statements open on the warehouse).</param>
    /// <param name="ProjectCap">The project's own cap on those, or null for the backend's default.</param>
    public sealed record QueuePlace(long Position, long UserSlots, long ProjectSlots, int? ProjectCap);

    /// <summary>The query's warehouse statement has ended: its slot counts no more against its user and server.</summary>
    public async Task ReleaseSlotAsync(Guid queryUuid, int attempt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseSlotSql, new { queryUuid, attempt }, cancellationToken: cancellationToken));
    }

    /// <summary>Records the multipart upload a query's worker started, so that it can be aborted if the worker dies.</summary>
    public async Task RecordUploadAsync(Guid queryUuid, string key, string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(RecordUploadSql, new { queryUuid, key, uploadId }, cancellationToken: cancellationToken));
    }

    // Locks the row, applies the final status, and hands the outcome to its followers, in one transaction.
    private async Task<bool> FinishAsync(Guid queryUuid, string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(LockSql, new { queryUuid }, transaction, cancellationToken: cancellationToken));
        var finished = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)) == 1;
        if (finished)
        {
            await connection.ExecuteScalarAsync<long>(new CommandDefinition(PropagateToFollowersSql, new { queryUuid }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return finished;
    }

    /// <summary>A page of a user's queries in a project, newest first, optionally only those with one of <paramref name="statuses"/>; and how many match in all.</summary>
    public async Task<(IReadOnlyList<QueryHistoryRecord> Page, long Total)> ListAsync(
        Guid projectUuid, Guid? userUuid, IReadOnlyCollection<QueryStatus>? statuses, int limit, long offset, CancellationToken cancellationToken)
    {
        var names = statuses is { Count: > 0 } ? statuses.Select(s => s.ToName()).ToArray() : null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var page = (await connection.QueryAsync<QueryHistoryRecord>(
            new CommandDefinition(ListSql, new { projectUuid, userUuid, statuses = names, limit, offset }, cancellationToken: cancellationToken))).ToList();
        var total = offset == 0 && page.Count < limit
            ? page.Count
            : await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountSql, new { projectUuid, userUuid, statuses = names }, cancellationToken: cancellationToken));
        return (page, total);
    }

    /// <summary>Someone read the query (a poll, a page, a wait): it is not unread.</summary>
    public async Task MarkReadAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(MarkReadSql, new { queryUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>Cancels the query when it asked to be cancelled if unread and nobody read it for that long; true when it did.</summary>
    public Task<bool> CancelIfUnreadAsync(Guid queryUuid, CancellationToken cancellationToken) =>
        ExecuteUpdateAsync(CancelUnreadSql, new { queryUuid }, cancellationToken);

    /// <summary>Any active status to <c>cancelled</c>; false when the query already reached a final state.</summary>
    public Task<bool> CancelAsync(Guid queryUuid, CancellationToken cancellationToken) =>
        ExecuteUpdateAsync(CancelSql, new { queryUuid }, cancellationToken);

    /// <summary>Deletes the row; returns the results file it pointed at, if any.</summary>
    public async Task<string?> DeleteAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(DeleteSql, new { queryUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>True while any row points at the results file.</summary>
    public async Task<bool> IsFileReferencedAsync(string fileName, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(FileReferencedSql, new { fileName }, cancellationToken: cancellationToken));
    }

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

    /// <summary>Where the query came from and its priority, which choose its queue (api and normal when it no longer exists).</summary>
    public async Task<(string Context, QueryPriority Priority)> QueueingOfAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Context, string Priority)?>(new CommandDefinition(
            "SELECT context, priority FROM query_history WHERE query_uuid = @queryUuid", new { queryUuid }, cancellationToken: cancellationToken));
        return row is { } found ? (found.Context, QueryPriorities.Parse(found.Priority)) : ("api", QueryPriority.Normal);
    }

    /// <summary>Submissions to a project in the last <paramref name="window"/>: in all and by one user, with the oldest of each.</summary>
    public async Task<RecentSubmissions> RecentSubmissionsAsync(Guid projectUuid, Guid userUuid, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<RecentSubmissions>(new CommandDefinition(
            """
            SELECT count(*) AS Total, min(created_at) AS TotalOldest,
                   count(*) FILTER (WHERE created_by_user_uuid = @userUuid) AS ByUser,
                   min(created_at) FILTER (WHERE created_by_user_uuid = @userUuid) AS UsersOldest
            FROM query_history WHERE project_uuid = @projectUuid AND created_at > now() - @window
            """,
            new { projectUuid, userUuid, window },
            cancellationToken: cancellationToken));
    }

    /// <summary>Submissions to a project in a recent window.</summary>
    /// <param name="Total">From everyone.</param>
    /// <param name="TotalOldest">The oldest of those, or null.</param>
    /// <param name="ByUser">From one user.</param>
    /// <param name="UsersOldest">The oldest of that user's, or null.</param>
    public sealed record RecentSubmissions(long Total, DateTime? TotalOldest, long ByUser, DateTime? UsersOldest);
}
