using System.Diagnostics;
using Hangfire;
using Lightdash.Net.Backend.Clients;
using Lightdash.Net.Backend.Models;
using Lightdash.Net.Backend.Services;
using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Jobs;

/// <summary>
/// The Hangfire job that runs one query off the request threads: claims its history row, runs the
/// SQL on the project's warehouse, streams the rows into the results storage, and records the
/// outcome. Every failure ends in the history row; the job itself never fails, so Hangfire does
/// not retry a query the user did not ask to run twice.
/// </summary>
public sealed class RunQueryJob(
    QueryHistoryModel history,
    ProjectModel projects,
    WarehouseClientFactory warehouses,
    JsonlResultsWriter resultsWriter,
    IOptions<ResultsStorageOptions> storageOptions,
    ILogger<RunQueryJob> logger)
{
    /// <summary>Runs the query; <paramref name="cancellationToken"/> is Hangfire's shutdown token.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Run query {0}")]
    public async Task RunAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["QueryUuid"] = queryUuid });
        var query = await history.TryStartExecutingAsync(queryUuid, cancellationToken);
        if (query is null)
        {
            logger.LogInformation("Query {QueryUuid} is no longer waiting to run; skipped", queryUuid);
            return;
        }

        logger.LogInformation("Query {QueryUuid} started", queryUuid);
        try
        {
            var results = await ExecuteAsync(query, cancellationToken);
            if (await history.MarkReadyAsync(queryUuid, results, CancellationToken.None))
            {
                logger.LogInformation("Query {QueryUuid} ready: {RowCount} rows, {ByteSize} bytes", queryUuid, results.TotalRowCount, results.ByteSize);
            }
            else
            {
                logger.LogInformation("Query {QueryUuid} finished after it left executing; its result is not published", queryUuid);
            }
        }
        catch (Exception e) when (e is WarehouseQueryException or ResultsStorageException or QueryShapeException)
        {
            logger.LogInformation("Query {QueryUuid} failed: {Error}", queryUuid, e.Message);
            await history.MarkErrorAsync(queryUuid, e.Message, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Query {QueryUuid} interrupted by shutdown", queryUuid);
            await history.MarkErrorAsync(queryUuid, "The backend shut down while this query ran. Run it again.", CancellationToken.None);
        }
        catch (Exception e)
        {
            // Unexpected: still recorded, so that no query stays executing because of a bug.
            logger.LogError(e, "Query {QueryUuid} failed unexpectedly", queryUuid);
            await history.MarkErrorAsync(queryUuid, $"Unexpected error: {e.Message}", CancellationToken.None);
        }
    }

    private async Task<StoredResults> ExecuteAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(query.ProjectUuid, cancellationToken);
        var client = warehouses.GetClient(project.Warehouse);
        var clock = Stopwatch.StartNew();
        await using var reader = await client.ExecuteAsync(new WarehouseQuery(query.CompiledSql, query.RowLimit), cancellationToken);
        var warehouseMs = clock.ElapsedMilliseconds;
        await history.SetWarehouseQueryAsync(query.QueryUuid, reader.WarehouseQueryId, warehouseMs, cancellationToken);
        QueryShapeException.ThrowIfDuplicateColumns(reader.Columns);

        var key = ResultsObjectKeys.NewResultsKey(storageOptions.Value.Prefix, query.CacheKey);
        var written = await resultsWriter.WriteAsync(reader, key, cancellationToken);
        return new StoredResults(reader.Columns, written.RowCount, key, written.ByteSize, written.IndexBlockRows, warehouseMs);
    }
}
