using System.Diagnostics;
using Hangfire;
using Lightdash.Net.Backend.Clients;
using Lightdash.Net.Backend.Models;
using Lightdash.Net.Backend.Results;
using Lightdash.Net.Backend.Services;
using Lightdash.Net.Common;
using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Jobs;

/// <summary>
/// The Hangfire job that runs one query off the request threads: claims its history row, runs the
/// SQL on the project's warehouse, hands the rows to the results store, and records the outcome.
/// A cancel (from any instance) stops the warehouse command and the upload. Every failure ends in
/// the history row; the job itself never fails, so Hangfire does not retry a query the user did
/// not ask to run twice.
/// </summary>
public sealed class RunQueryJob(
    QueryHistoryModel history,
    ProjectModel projects,
    WarehouseClientFactory warehouses,
    IResultsStore results,
    RunningQueries running,
    IOptions<QueryExecutionOptions> options,
    ILogger<RunQueryJob> logger)
{
    /// <summary>Runs the query; <paramref name="cancellationToken"/> is Hangfire's shutdown token.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Run query {0}")]
    public async Task RunAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["QueryUuid"] = queryUuid });
        // Registered before claiming the row, so that a cancel arriving from now on is heard.
        using var registration = running.Register(queryUuid, cancellationToken);
        var query = await history.TryStartExecutingAsync(queryUuid, cancellationToken);
        if (query is null)
        {
            logger.LogInformation("Query {QueryUuid} is no longer waiting to run; skipped", queryUuid);
            return;
        }

        logger.LogInformation("Query {QueryUuid} started", queryUuid);
        StoredLocation? stored = null;
        try
        {
            var (location, outcome, ttl) = await ExecuteAsync(query, registration.Token);
            stored = location;
            if (await history.MarkReadyAsync(queryUuid, outcome, ttl, CancellationToken.None))
            {
                logger.LogInformation("Query {QueryUuid} ready: {RowCount} rows, {ByteSize} bytes", queryUuid, outcome.TotalRowCount, outcome.ByteSize);
                return;
            }

            logger.LogInformation("Query {QueryUuid} finished after it was cancelled; its result is discarded", queryUuid);
            await results.DeleteAsync(stored.FileName, CancellationToken.None);
        }
        catch (OperationCanceledException) when (registration.CancelledByUser)
        {
            logger.LogInformation("Query {QueryUuid} stopped by cancel", queryUuid);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Query {QueryUuid} interrupted by shutdown", queryUuid);
            await history.MarkErrorAsync(queryUuid, "The backend shut down while this query ran. Run it again.", options.Value.ErrorTtl, CancellationToken.None);
        }
        catch (Exception e) when (e is WarehouseQueryException or ResultsStorageException or QueryShapeException)
        {
            logger.LogInformation("Query {QueryUuid} failed: {Error}", queryUuid, e.Message);
            await MarkErrorUnlessCancelledAsync(queryUuid, e.Message, stored);
        }
        catch (Exception e)
        {
            // Unexpected: still recorded, so that no query stays executing because of a bug.
            logger.LogError(e, "Query {QueryUuid} failed unexpectedly", queryUuid);
            await MarkErrorUnlessCancelledAsync(queryUuid, $"Unexpected error: {e.Message}", stored);
        }
    }

    private async Task<(StoredLocation Location, StoredResults Outcome, TimeSpan Ttl)> ExecuteAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(query.ProjectUuid, cancellationToken);
        var client = warehouses.GetClient(project.Warehouse);
        var clock = Stopwatch.StartNew();
        var warehouseQuery = new WarehouseQuery(
            query.CompiledSql,
            query.RowLimit,
            OnStarted: (warehouseQueryId, token) => history.SetWarehouseQueryAsync(query.QueryUuid, warehouseQueryId, null, token));
        await using var reader = await client.ExecuteAsync(warehouseQuery, cancellationToken);
        var warehouseMs = clock.ElapsedMilliseconds;
        await history.SetWarehouseQueryAsync(query.QueryUuid, reader.WarehouseQueryId, warehouseMs, cancellationToken);
        QueryShapeException.ThrowIfDuplicateColumns(reader.Columns);

        var location = await results.StoreAsync(query, reader, cancellationToken);
        logger.LogInformation(
            "Query {QueryUuid} stored {RowCount} rows ({ByteSize} bytes) in {StoreMs} ms after {WarehouseMs} ms to the first row",
            query.QueryUuid, location.RowCount, location.ByteSize, clock.ElapsedMilliseconds - warehouseMs, warehouseMs);
        var outcome = new StoredResults(reader.Columns, location.RowCount, location.FileName, location.ByteSize, location.IndexBlockRows, warehouseMs);
        return (location, outcome, project.ResultsCacheTtl ?? options.Value.ResultsTtl);
    }

    // A conditional update: a query cancelled meanwhile stays cancelled (the error came from the stop).
    private async Task MarkErrorUnlessCancelledAsync(Guid queryUuid, string error, StoredLocation? stored)
    {
        if (!await history.MarkErrorAsync(queryUuid, error, options.Value.ErrorTtl, CancellationToken.None))
        {
            logger.LogInformation("Query {QueryUuid} already final; error not recorded: {Error}", queryUuid, error);
        }

        if (stored is not null)
        {
            await results.DeleteAsync(stored.FileName, CancellationToken.None);
        }
    }
}
