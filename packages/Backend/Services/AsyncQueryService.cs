using System.Diagnostics;
using Hangfire;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Backend.Jobs;
using Lightdash.Net.Backend.Models;
using Lightdash.Net.Backend.Results;
using Lightdash.Net.Common;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Services;

/// <summary>
/// The rules of asynchronous queries: submitting records a <c>pending</c> row and hands the query
/// to a background job at once; reading answers the status, or a page once the query is ready.
/// </summary>
public sealed class AsyncQueryService(
    ProjectModel projects,
    QueryHistoryModel history,
    IResultsStore results,
    RunningQueries running,
    IBackgroundJobClient jobs,
    IOptions<QueryExecutionOptions> options,
    ILogger<AsyncQueryService> logger)
{
    private const string DefaultContext = "api";
    private const int MaxContextLength = 64;
    private const string DefaultTimezone = "UTC";

    private readonly QueryExecutionOptions _options = options.Value;

    /// <summary>Validates and submits raw SQL; returns as soon as the query is queued.</summary>
    public async Task<ExecuteQueryResults> ExecuteSqlAsync(Guid projectUuid, ExecuteSqlQueryRequest request, CancellationToken cancellationToken)
    {
        var sql = request.Sql?.Trim();
        if (string.IsNullOrEmpty(sql))
        {
            throw new ValidationException("sql is required: give the SQL to run.");
        }

        if (sql.Length > _options.MaxSqlLength)
        {
            throw new ValidationException($"sql is {sql.Length} characters long; at most {_options.MaxSqlLength} are accepted.");
        }

        if (request.Limit is < 1)
        {
            throw new ValidationException($"limit must be 1 or more (got {request.Limit}); leave it out for all rows.");
        }

        var context = string.IsNullOrWhiteSpace(request.Context) ? DefaultContext : request.Context.Trim();
        if (context.Length > MaxContextLength)
        {
            throw new ValidationException($"context must be at most {MaxContextLength} characters.");
        }

        await projects.GetAsync(projectUuid, cancellationToken);
        var query = new NewQuery(
            Guid.NewGuid(),
            projectUuid,
            context,
            sql,
            request.Limit,
            _options.DefaultPageSize,
            QueryCacheKey.Compute(projectUuid, sql, request.Limit, DefaultTimezone));
        await history.CreateAsync(query, cancellationToken);
        jobs.Enqueue<RunQueryJob>(job => job.RunAsync(query.QueryUuid, CancellationToken.None));
        await history.MarkQueuedAsync(query.QueryUuid, cancellationToken);
        logger.LogInformation("Query {QueryUuid} submitted to project {ProjectUuid}", query.QueryUuid, projectUuid);
        return new ExecuteQueryResults { QueryUuid = query.QueryUuid, CacheMetadata = new CacheMetadata { CacheHit = false } };
    }

    /// <summary>The query's status, or one page of its rows once it is ready.</summary>
    public async Task<QueryResultsPage> GetResultsPageAsync(Guid projectUuid, Guid queryUuid, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var pageNumber = page ?? 1;
        if (pageNumber < 1)
        {
            throw new ValidationException($"page must be 1 or more (got {pageNumber}).");
        }

        if (pageSize is { } size && (size < 1 || size > _options.MaxPageSize))
        {
            throw new ValidationException($"pageSize must be between 1 and {_options.MaxPageSize} (got {size}).");
        }

        var query = await history.GetAsync(projectUuid, queryUuid, cancellationToken);
        var status = query.Status;
        if (status != QueryStatus.Ready)
        {
            return new QueryResultsPage
            {
                QueryUuid = queryUuid,
                Status = status.ToName(),
                Error = query.Error,
                ErroredAt = QueryTimings.Utc(query.ErroredAt),
            };
        }

        var clock = Stopwatch.StartNew();
        var effectivePageSize = Math.Min(pageSize ?? query.DefaultPageSize, _options.MaxPageSize);
        var totalRows = query.TotalRowCount ?? 0;
        var totalPages = (int)Math.Max(1, (totalRows + effectivePageSize - 1) / effectivePageSize);
        if (pageNumber > totalPages)
        {
            throw new ValidationException(
                $"page {pageNumber} is beyond the last page: the result has {totalRows} rows, {totalPages} page(s) of {effectivePageSize}.");
        }

        var columns = ColumnsJson.Parse(query.ColumnsJson);
        var startRow = (long)(pageNumber - 1) * effectivePageSize;
        var rowCount = (int)Math.Min(effectivePageSize, totalRows - startRow);
        var rows = await results.ReadPageAsync(query, startRow, rowCount, cancellationToken);
        return new QueryResultsPage
        {
            QueryUuid = queryUuid,
            Status = status.ToName(),
            Rows = rows,
            Columns = columns.ToDictionary(
                c => c.Reference,
                c => new ResultColumnInfo { Reference = c.Reference, Type = c.Type.ToString().ToLowerInvariant() },
                StringComparer.Ordinal),
            TotalPageCount = totalPages,
            TotalResults = totalRows,
            Page = pageNumber,
            PageSize = rows.Count,
            NextPage = pageNumber < totalPages ? pageNumber + 1 : null,
            PreviousPage = pageNumber > 1 ? pageNumber - 1 : null,
            Metadata = new QueryResultsMetadata
            {
                Performance = new QueryPerformance
                {
                    InitialQueryExecutionMs = query.WarehouseExecutionTimeMs,
                    ResultsPageExecutionMs = clock.ElapsedMilliseconds,
                    QueueTimeMs = QueryTimings.MillisecondsBetween(query.CreatedAt, query.ProcessingStartedAt),
                    TotalExecutionMs = QueryTimings.MillisecondsBetween(query.ProcessingStartedAt, query.FinishedAt),
                },
                Source = results.Source,
            },
        };
    }

    /// <summary>Cancels a query that has not finished: its row turns <c>cancelled</c> and its worker, on any instance, stops.</summary>
    public async Task<CancelQueryResults> CancelAsync(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        await history.GetAsync(projectUuid, queryUuid, cancellationToken);
        if (!await history.CancelAsync(queryUuid, cancellationToken))
        {
            var current = await history.GetAsync(projectUuid, queryUuid, cancellationToken);
            throw new ConflictException(
                $"Query {queryUuid} is already {current.Status.ToName()}; only pending, queued or executing queries can be cancelled.");
        }

        // Stop it at once when it runs here; other instances hear the notification.
        running.Cancel(queryUuid);
        logger.LogInformation("Query {QueryUuid} cancelled", queryUuid);
        return new CancelQueryResults { QueryUuid = queryUuid, Status = QueryStatus.Cancelled.ToName() };
    }

    /// <summary>The query, which must be ready (409 otherwise).</summary>
    public async Task<QueryHistoryRecord> GetReadyQueryAsync(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var query = await history.GetAsync(projectUuid, queryUuid, cancellationToken);
        return query.Status == QueryStatus.Ready
            ? query
            : throw new ConflictException($"Query {queryUuid} is {query.Status.ToName()}; its results are available once it is ready.");
    }

    /// <summary>Writes a ready query's whole result as JSON lines, streamed, never held in memory.</summary>
    public async Task WriteAllResultsAsync(QueryHistoryRecord query, System.IO.Pipelines.PipeWriter destination, CancellationToken cancellationToken) =>
        await results.CopyAllAsync(query, destination, cancellationToken);

}
