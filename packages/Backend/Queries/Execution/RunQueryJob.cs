using System.Diagnostics;
using Hangfire;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;


namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// The Hangfire job that runs one query off the request threads: claims its history row (with a
/// lease it renews while it works), runs the SQL on the project's warehouse, hands the rows to the
/// results store, and records the outcome. A cancel (from any instance) stops the warehouse command
/// and the upload. Every failure ends in the history row; the job itself never fails, so Hangfire
/// does not retry a query the user did not ask to run twice (the lease reaper re-runs the queries
/// of a backend that died).
/// </summary>
public sealed class RunQueryJob(
    QueryHistoryStore history,
    ProjectStore projects,
    WarehouseClientFactory warehouses,
    WarehouseLogins logins,
    IResultsStore results,
    RunningQueries running,
    ComposeDatabase composer,
    HeldQueries held,
    IOptions<QueryExecutionOptions> options,
    IOptions<AuthOptions> authOptions,
    ILogger<RunQueryJob> logger)
{
    /// <summary>This process's name in <c>query_history.executing_server</c>.</summary>
    public static readonly string ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";

    private readonly QueryExecutionOptions _options = options.Value;

    /// <summary>Runs the query; <paramref name="cancellationToken"/> is Hangfire's shutdown token.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Run query {0}")]
    public async Task RunAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["QueryUuid"] = queryUuid });
        // Registered before claiming the row, so that a cancel arriving from now on is heard.
        using var registration = running.Register(queryUuid, cancellationToken);
        var rules = new QueryHistoryStore.SlotRules(authOptions.Value.MaxExecutingQueriesPerUser, _options.SharedWorkers, _options.MaxWarehouseStatementsPerProject);
        var (query, heldBack) = await history.TryStartExecutingAsync(queryUuid, ServerName, rules, cancellationToken);
        if (heldBack)
        {
            // Its user already has the most queries executing or their share of this instance's workers,
            // or its project holds as many statements on its warehouse as it may: it stays queued, held,
            // until a released slot (or the sweep) wakes it.
            logger.LogInformation("Query {QueryUuid} waits: its user's limit or share of the workers, or its project's warehouse cap", queryUuid);
            return;
        }

        if (query is null)
        {
            logger.LogInformation("Query {QueryUuid} is no longer waiting to run; skipped", queryUuid);
            return;
        }

        if (query.CancelIfUnreadMs is not null && await history.CancelIfUnreadAsync(queryUuid, cancellationToken))
        {
            // Nobody read it while it waited: it never starts.
            logger.LogInformation("Query {QueryUuid} cancelled before it started: nobody read it", queryUuid);
            await ReleaseAsync(query);
            return;
        }

        logger.LogInformation("Query {QueryUuid} started (attempt {Attempt})", queryUuid, query.Attempt);
        // The trace of the request that submitted it continues here, on whichever instance runs it.
        using var activity = LightdashTelemetry.StartQueryActivity(
            "query.run", queryUuid, ActivityKind.Internal,
            ActivityContext.TryParse(query.TraceParent, null, out var submitted) ? submitted : default);
        LightdashTelemetry.QueueWait.Record((DateTime.UtcNow - query.CreatedAt.ToUniversalTime()).TotalMilliseconds);
        using var leaseLost = new CancellationTokenSource();
        using var work = CancellationTokenSource.CreateLinkedTokenSource(registration.Token, leaseLost.Token);
        // The heartbeat outlives a cancel: the slot is held until the warehouse statement has ended.
        using var slotHeld = new CancellationTokenSource();
        var heartbeat = RenewLeaseAsync(query, leaseLost, slotHeld.Token);
        try
        {
            await RunClaimedAsync(query, registration, leaseLost, work.Token, cancellationToken);
        }
        finally
        {
            await work.CancelAsync();
            await slotHeld.CancelAsync();
            await heartbeat;
            // The reader is disposed: the warehouse statement has ended (PostgreSQL answered the cancel).
            await ReleaseAsync(query);
        }
    }

    // The slot goes back, and the queries held for one like it are woken.
    private async Task ReleaseAsync(QueryHistoryRecord query)
    {
        await history.ReleaseSlotAsync(query.QueryUuid, query.Attempt, CancellationToken.None);
        await held.WakeAfterReleaseAsync(query.ProjectUuid, query.CreatedByUserUuid, CancellationToken.None);
    }

    private async Task RunClaimedAsync(
        QueryHistoryRecord query, RunningQueries.Registration registration, CancellationTokenSource leaseLost, CancellationToken work, CancellationToken shutdown)
    {
        var queryUuid = query.QueryUuid;
        StoredLocation? stored = null;
        try
        {
            var (location, outcome, ttl) = await ExecuteAsync(query, work);
            stored = location;
            if (await history.MarkReadyAsync(queryUuid, query.Attempt, outcome, ttl, CancellationToken.None))
            {
                logger.LogInformation("Query {QueryUuid} ready: {RowCount} rows, {ByteSize} bytes", queryUuid, outcome.TotalRowCount, outcome.ByteSize);
                Finished("ready");
                LightdashTelemetry.RowsWritten.Add(outcome.TotalRowCount);
                LightdashTelemetry.BytesWritten.Add(location.ByteSize);
                return;
            }

            logger.LogInformation("Query {QueryUuid} finished after it was cancelled or taken over; its result is discarded", queryUuid);
            await results.DeleteAsync(stored.FileName, CancellationToken.None);
        }
        catch (OperationCanceledException) when (registration.CancelledByUser)
        {
            logger.LogInformation("Query {QueryUuid} stopped by cancel", queryUuid);
            Finished("cancelled");
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            logger.LogWarning("Query {QueryUuid} stopped: its lease was taken over (attempt {Attempt})", queryUuid, query.Attempt);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            logger.LogWarning("Query {QueryUuid} interrupted by shutdown", queryUuid);
            await history.MarkErrorAsync(queryUuid, "The backend shut down while this query ran. Run it again.", _options.ErrorTtl, query.Attempt, CancellationToken.None);
        }
        catch (Exception e) when (e is WarehouseQueryException or ResultsStorageException or QueryShapeException)
        {
            logger.LogInformation("Query {QueryUuid} failed: {Error}", queryUuid, e.Message);
            Finished("error");
            await MarkErrorUnlessFinishedAsync(query, e.Message, stored, (e as WarehouseQueryException)?.SqlState);
        }
        catch (Exception e)
        {
            // Unexpected: still recorded, so that no query stays executing because of a bug.
            logger.LogError(e, "Query {QueryUuid} failed unexpectedly", queryUuid);
            Finished("error");
            await MarkErrorUnlessFinishedAsync(query, $"Unexpected error: {e.Message}", stored);
        }

        static void Finished(string status)
        {
            Activity.Current?.SetTag("lightdash.status", status);
            LightdashTelemetry.QueriesFinished.Add(1, new KeyValuePair<string, object?>("status", status));
        }
    }

    private async Task<(StoredLocation Location, StoredResults Outcome, TimeSpan Ttl)> ExecuteAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(query.ProjectUuid, cancellationToken);
        // SQL composed over stored results runs on a DuckDB database of its own, loaded from them.
        await using var composed = query.ComposeReferencesJson is null ? null : await composer.PrepareAsync(query, cancellationToken);
        // The submitter's own login where the project requires it (users then cannot see each other's statements).
        var client = composed?.Client ?? warehouses.GetClient(await logins.ForJobAsync(project, query.CreatedByUserUuid, cancellationToken));
        var clock = Stopwatch.StartNew();
        using var warehouseActivity = LightdashTelemetry.StartQueryActivity("warehouse.execute", query.QueryUuid, ActivityKind.Client);
        var warehouseQuery = new WarehouseQuery(
            query.CompiledSql,
            query.RowLimit,
            OnStarted: (warehouseQueryId, token) => history.SetWarehouseQueryAsync(query.QueryUuid, warehouseQueryId, null, token),
            Timeout: SqlTimeLimits.For(project, query, _options),
            Tag: new QueryTag(query.QueryUuid, query.CreatedByUserUuid, query.ProjectUuid, query.Context),
            Parameters: BindingValues.FromJson(query.BindingsJson));
        await using var reader = await client.ExecuteAsync(warehouseQuery, cancellationToken);
        var warehouseMs = clock.ElapsedMilliseconds;
        warehouseActivity?.Dispose();
        await history.SetWarehouseQueryAsync(query.QueryUuid, reader.WarehouseQueryId, warehouseMs, cancellationToken);
        QueryShapeException.ThrowIfDuplicateColumns(reader.Columns);

        // The upload id goes into the history row at once: if this process dies, the reaper aborts it.
        var progress = new StoreProgress();
        var target = new StoreTarget(query.QueryUuid, query.CacheKey, (key, uploadId, token) => history.RecordUploadAsync(query.QueryUuid, key, uploadId, token), progress);
        using var stored = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporting = ReportProgressAsync(query, progress, stored.Token);
        StoredLocation location;
        LightdashTelemetry.ActiveStreams.Add(1);
        try
        {
            using var storing = LightdashTelemetry.StartQueryActivity("results.store", query.QueryUuid);
            location = await results.StoreAsync(target, reader, cancellationToken);
            storing?.SetTag("lightdash.rows", location.RowCount);
        }
        finally
        {
            LightdashTelemetry.ActiveStreams.Add(-1);
            await stored.CancelAsync();
            await reporting;
        }

        LightdashTelemetry.ExecutionTime.Record(clock.Elapsed.TotalMilliseconds);

        logger.LogInformation(
            "Query {QueryUuid} stored {RowCount} rows ({ByteSize} bytes) in {StoreMs} ms after {WarehouseMs} ms to the first row",
            query.QueryUuid, location.RowCount, location.ByteSize, clock.ElapsedMilliseconds - warehouseMs, warehouseMs);
        var outcome = new StoredResults(reader.Columns, location.RowCount, location.FileName, location.ByteSize, location.IndexBlockRows, warehouseMs);
        return (location, outcome, project.ResultsCacheTtl ?? _options.ResultsTtl);
    }

    /// <summary>Writes how far the storing got, once per <see cref="QueryExecutionOptions.ProgressInterval"/> while it changes.</summary>
    private async Task ReportProgressAsync(QueryHistoryRecord query, StoreProgress progress, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.ProgressInterval);
        var reported = (-1L, -1L);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = (progress.Rows, progress.Bytes);
                if (now == reported)
                {
                    continue;
                }

                try
                {
                    await history.SetProgressAsync(query.QueryUuid, query.Attempt, now.Rows, now.Bytes, stop);
                    reported = now;
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    // Progress is informative: an unreachable metadata database must not fail the query.
                    logger.LogDebug(e, "Query {QueryUuid} could not record its progress", query.QueryUuid);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Storing ended.
        }
    }

    /// <summary>
    /// Renews the lease until the slot is released; a renewal that finds the query no longer executing
    /// stops the work, and goes on renewing while the stopped statement still holds the slot.
    /// </summary>
    private async Task RenewLeaseAsync(QueryHistoryRecord query, CancellationTokenSource leaseLost, CancellationToken work)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(work))
            {
                try
                {
                    if (!await history.HeartbeatAsync(query.QueryUuid, query.Attempt, work) && !leaseLost.IsCancellationRequested)
                    {
                        // Cancelled, finished, or re-queued by the reaper: this attempt must stop.
                        await leaseLost.CancelAsync();
                    }
                    else if (query.CancelIfUnreadMs is not null && !leaseLost.IsCancellationRequested && await history.CancelIfUnreadAsync(query.QueryUuid, work))
                    {
                        // Nobody polled or waited on it for its time: stopped like a user's cancel.
                        logger.LogInformation("Query {QueryUuid} cancelled: nobody read it for {UnreadMs} ms", query.QueryUuid, query.CancelIfUnreadMs);
                        running.Cancel(query.QueryUuid);
                    }
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    // The metadata database is unreachable: keep working; the reaper decides if it lasts.
                    logger.LogWarning(e, "Query {QueryUuid} could not renew its lease", query.QueryUuid);
                }
            }
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            // The work ended.
        }
    }

    // Conditional updates: a query cancelled or taken over meanwhile keeps that state.
    private async Task MarkErrorUnlessFinishedAsync(QueryHistoryRecord query, string error, StoredLocation? stored, string? sqlState = null)
    {
        if (!await history.MarkErrorAsync(query.QueryUuid, error, _options.ErrorTtl, query.Attempt, CancellationToken.None, sqlState))
        {
            logger.LogInformation("Query {QueryUuid} already final; error not recorded: {Error}", query.QueryUuid, error);
        }

        if (stored is not null)
        {
            await results.DeleteAsync(stored.FileName, CancellationToken.None);
        }
    }
}
