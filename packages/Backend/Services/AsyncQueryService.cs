using System.Diagnostics;
using System.IO.Pipelines;
using Lightdash.Net.Backend.Auth;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Backend.Data;
using Lightdash.Net.Backend.Results;
using Lightdash.Net.Common;
using Microsoft.Extensions.Options;
using Lightdash.Net.Backend.Configuration;
using Lightdash.Net.Backend.Jobs;

namespace Lightdash.Net.Backend.Services;

/// <summary>
/// The rules of asynchronous queries: submitting reuses a fresh cached result, joins an identical
/// query already running, or records a <c>pending</c> row and hands the query to a background job;
/// reading answers the status, or a page once the query is ready.
/// </summary>
public sealed class AsyncQueryService(
    ProjectAccess access,
    QueryHistoryStore history,
    QueryCacheStore cache,
    IResultsStore results,
    RunningQueries running,
    QueryWaiter waiter,
    QueryQueue queue,
    IOptions<QueryExecutionOptions> options,
    IOptions<AuthOptions> authOptions,
    QueryVariablesService variables,
    Warehouses.WarehouseClientFactory warehouses,
    WarehouseLogins logins,
    ILogger<AsyncQueryService> logger)
{
    private static readonly string DefaultContext = QueryContext.Api.ToName();
    private const int MaxContextLength = 64;
    private const string DefaultTimezone = "UTC";

    private readonly QueryExecutionOptions _options = options.Value;

    /// <summary>Validates and submits raw SQL; answers once the query is queued (or, with <c>waitMs</c>, finished).</summary>
    public async Task<ExecuteQueryResults> ExecuteSqlAsync(CurrentUser user, Guid projectUuid, ExecuteSqlQueryRequest request, CancellationToken cancellationToken)
    {
        var (project, submission) = await PrepareSqlAsync(user, projectUuid, request, cancellationToken);
        return await SubmitAndWaitAsync(user, project, submission, request.WaitMs, cancellationToken);
    }

    /// <summary>
    /// The one way every execute route ends (access already checked, SQL compiled): the wait is
    /// checked before anything is queued, the query is submitted (a cache hit, a join of an identical
    /// running query, or a new job), and with <paramref name="waitMs"/> its first page is attached
    /// once it finishes in time.
    /// </summary>
    public async Task<ExecuteQueryResults> SubmitAndWaitAsync(CurrentUser user, Project project, CompiledSubmission submission, int? waitMs, CancellationToken cancellationToken)
    {
        var wait = ValidateWait(waitMs);
        var submitted = await SubmitCompiledAsync(user, project, submission, cancellationToken);
        return new ExecuteQueryResults
        {
            QueryUuid = submitted.QueryUuid,
            CacheMetadata = submitted.CacheMetadata,
            FirstPage = await FirstPageAfterWaitAsync(user, project.ProjectUuid, submitted.QueryUuid, wait, cancellationToken),
        };
    }

    /// <summary>Checks a request without submitting it; throws a 400 naming what is wrong.</summary>
    public string ValidateSql(ExecuteSqlQueryRequest request)
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

        CheckContext(request.Context);

        if (request.CancelIfUnreadSeconds is < 1 or > 86_400)
        {
            throw new ValidationException($"cancelIfUnreadSeconds must be between 1 and 86400 (got {request.CancelIfUnreadSeconds}).");
        }

        if (request.StatementTimeoutSeconds is < 1)
        {
            throw new ValidationException($"statementTimeoutSeconds must be 1 or more (got {request.StatementTimeoutSeconds}); leave it out for the project's limit.");
        }

        return sql;
    }

    /// <summary>
    /// 400 unless the context is short and plain (letters, digits, '.', '-', '_'): it is stored with the
    /// query, tags its metrics and names it in the warehouse, on every route that takes one.
    /// </summary>
    private static void CheckContext(string? context)
    {
        var trimmed = context?.Trim() ?? "";
        if (trimmed.Length > MaxContextLength || trimmed.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_')))
        {
            throw new ValidationException($"context must be at most {MaxContextLength} letters, digits, '.', '-' or '_' (such as dashboardView).");
        }
    }

    /// <summary>Checks one raw SQL query and its caller (developers); the submission to hand to <see cref="SubmitAndWaitAsync"/>.</summary>
    public async Task<(Project Project, CompiledSubmission Submission)> PrepareSqlAsync(CurrentUser user, Guid projectUuid, ExecuteSqlQueryRequest request, CancellationToken cancellationToken)
    {
        var sql = ValidateSql(request);
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        var (resolved, parametersJson) = await variables.ResolveAsync(user, project, request.Parameters, cancellationToken);
        return (project, new CompiledSubmission(
            Semantic.SqlVariables.Substitute(sql, resolved, warehouses.GetClient(project.Warehouse).Dialect),
            request.Limit,
            request.Context,
            request.InvalidateCache == true,
            StatementTimeout: request.StatementTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            CancelIfUnread: request.CancelIfUnreadSeconds is { } unread ? TimeSpan.FromSeconds(unread) : null,
            ParametersJson: parametersJson));
    }

    /// <summary>
    /// Submits SQL the backend compiled or the caller may run (access already checked): a cache hit,
    /// a join of an identical running query, or a new job. Every execute route ends here.
    /// </summary>
    private async Task<ExecuteQueryResults> SubmitCompiledAsync(CurrentUser user, Project project, CompiledSubmission submission, CancellationToken cancellationToken)
    {
        CheckContext(submission.Context);
        if (project.RequireUserCredentials && submission.ComposeReferencesJson is null)
        {
            // Refused now, not after the queue: the caller learns where to save a login.
            await logins.ForRequestAsync(project, user.UserUuid, cancellationToken);
        }

        var query = new NewQuery(
            submission.QueryUuid ?? Guid.NewGuid(),
            project.ProjectUuid,
            string.IsNullOrWhiteSpace(submission.Context) ? DefaultContext : submission.Context.Trim(),
            submission.Sql,
            submission.Limit,
            _options.DefaultPageSize,
            QueryCacheKey.Compute(
                project.ProjectUuid, CacheKeySql(submission), submission.Limit, submission.Timezone ?? DefaultTimezone, WarehouseLogins.LoginOwner(project, user.UserUuid)),
            user.UserUuid,
            submission.MetricQueryJson,
            submission.FieldsJson,
            submission.StatementTimeout is { } limit ? (long)limit.TotalMilliseconds : null,
            (submission.CancelIfUnread ?? project.CancelIfUnread) is { } unreadFor ? (long)unreadFor.TotalMilliseconds : null,
            submission.ParametersJson,
            submission.ComposeReferencesJson,
            System.Diagnostics.Activity.Current?.Id,
            submission.BindingsJson);
        using var activity = Telemetry.LightdashTelemetry.StartQueryActivity("query.submit", query.QueryUuid);
        Telemetry.LightdashTelemetry.QueriesSubmitted.Add(1, new KeyValuePair<string, object?>("context", query.Context));
        var miss = new CacheMetadata { CacheHit = false };
        if (!submission.InvalidateCache)
        {
            var ttl = project.ResultsCacheTtl ?? _options.ResultsTtl;
            if (await cache.TryCreateCacheHitAsync(query, QueryExecutionOptions.ReuseBuffer(ttl), cancellationToken) is { } hit)
            {
                logger.LogInformation("Query {QueryUuid} reused a cached result of {CacheKey}", query.QueryUuid, query.CacheKey);
                Telemetry.LightdashTelemetry.CacheHits.Add(1);
                return new ExecuteQueryResults
                {
                    QueryUuid = query.QueryUuid,
                    CacheMetadata = new CacheMetadata
                    {
                        CacheHit = true,
                        CacheUpdatedTime = QueryTimings.Utc(hit.CreatedAt),
                        CacheExpiresAt = QueryTimings.Utc(hit.ExpiresAt),
                    },
                };
            }

            if (await cache.JoinOrCreateAsync(query, cancellationToken) is { } leader)
            {
                logger.LogInformation("Query {QueryUuid} joined the identical query {LeaderUuid} already running", query.QueryUuid, leader);
                Telemetry.LightdashTelemetry.SingleFlightJoins.Add(1);
                return new ExecuteQueryResults { QueryUuid = query.QueryUuid, CacheMetadata = miss };
            }
        }
        else
        {
            await history.CreateAsync(query, cancellationToken);
        }

        await queue.EnqueueAsync(query.QueryUuid, cancellationToken);
        logger.LogInformation("Query {QueryUuid} submitted to project {ProjectUuid}", query.QueryUuid, project.ProjectUuid);
        return new ExecuteQueryResults { QueryUuid = query.QueryUuid, CacheMetadata = miss };
    }

    /// <summary>What the cache key hashes besides the project, limit and time zone: the SQL, and what it reads or binds.</summary>
    private static string CacheKeySql(CompiledSubmission submission)
    {
        var sql = submission.Sql;
        if (submission.ComposeReferencesJson is { } references)
        {
            sql = $"{sql}\n-- over {references}";
        }

        return submission.BindingsJson is { } bindings ? $"{sql}\n-- bound {bindings}" : sql;
    }

    /// <summary>
    /// A page of a query still executing, when all its rows are stored already (read from the live copies
    /// of the uploaded parts, on any instance); the total is not known yet. Null otherwise.
    /// </summary>
    private async Task<QueryResultsPage?> LivePageAsync(QueryHistoryRecord query, int pageNumber, int? pageSize, CancellationToken cancellationToken)
    {
        var key = query.ResultsUploadKey
            ?? (query.JoinedQueryUuid is { } leader ? (await history.FindAsync(leader, cancellationToken))?.ResultsUploadKey : null);
        if (key is null)
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        var size = Math.Min(pageSize ?? query.DefaultPageSize, _options.MaxPageSize);
        var rows = await results.ReadLivePageAsync(key, (long)(pageNumber - 1) * size, size, cancellationToken);
        if (rows is null)
        {
            return null;
        }

        rows = FormattedByFields(query, rows);

        return new QueryResultsPage
        {
            QueryUuid = query.QueryUuid,
            Status = QueryStatus.Executing.ToName(),
            Progress = await ProgressAsync(query, cancellationToken),
            Rows = rows,
            Page = pageNumber,
            PageSize = size,
            NextPage = pageNumber + 1,
            PreviousPage = pageNumber > 1 ? pageNumber - 1 : null,
            Metadata = new QueryResultsMetadata { Source = results.Source, Performance = new QueryPerformance { ResultsPageExecutionMs = clock.ElapsedMilliseconds } },
        };
    }

    /// <summary>A page's rows with each semantic field's value formatted, when the query has fields (metric queries); as they are otherwise.</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, Results.ResultCell>> FormattedByFields(
        QueryHistoryRecord query, IReadOnlyList<IReadOnlyDictionary<string, Results.ResultCell>> rows) =>
        PageValueFormatter.FieldsOf(query.FieldsJson) is { Count: > 0 } fields ? PageValueFormatter.Apply(rows, fields) : rows;

    /// <summary>Waits up to <paramref name="wait"/> for a submitted query and attaches its first page.</summary>
    private async Task<QueryResultsPage?> FirstPageAfterWaitAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return null;
        }

        await waiter.WaitForFinalStateAsync(queryUuid, wait, cancellationToken);
        return await GetResultsPageAsync(user, projectUuid, queryUuid, 1, null, null, cancellationToken);
    }

    /// <summary>The query's status, or one page of its rows once it is ready; with <paramref name="waitMs"/>, first waits for it to finish.</summary>
    public async Task<QueryResultsPage> GetResultsPageAsync(
        CurrentUser user, Guid projectUuid, Guid queryUuid, int? page, int? pageSize, int? waitMs, CancellationToken cancellationToken)
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

        var wait = ValidateWait(waitMs);
        var query = await GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        await MarkReadAsync(query, cancellationToken);
        if (wait > TimeSpan.Zero && query.Status.IsActive())
        {
            query = await waiter.WaitForFinalStateAsync(queryUuid, wait, cancellationToken) ?? throw new NotFoundException($"Query {queryUuid} was deleted.");
            await MarkReadAsync(query, cancellationToken);
        }

        var status = query.Status;
        if (status == QueryStatus.Executing && await LivePageAsync(query, pageNumber, pageSize, cancellationToken) is { } live)
        {
            return live;
        }

        if (status != QueryStatus.Ready)
        {
            return new QueryResultsPage
            {
                QueryUuid = queryUuid,
                Status = status.ToName(),
                Error = status == QueryStatus.Expired ? ExpiredMessage(query) : query.Error,
                ErroredAt = QueryTimings.Utc(query.ErroredAt ?? (status == QueryStatus.Expired ? query.ResultsExpiresAt : null)),
                Progress = await ProgressAsync(query, cancellationToken),
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
        IReadOnlyList<IReadOnlyDictionary<string, Results.ResultCell>> rows;
        using (var activity = Telemetry.LightdashTelemetry.StartQueryActivity("results.page", queryUuid))
        {
            activity?.SetTag("lightdash.page", pageNumber);
            rows = await results.ReadPageAsync(HistoryResultSources.Of(query, columns), startRow, rowCount, cancellationToken);
            Telemetry.LightdashTelemetry.PageReadLatency.Record(clock.Elapsed.TotalMilliseconds);
        }

        rows = FormattedByFields(query, rows);
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
    public async Task<CancelQueryResults> CancelAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        await GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        if (!await CancelIfActiveAsync(queryUuid, cancellationToken))
        {
            var current = await history.GetAsync(projectUuid, queryUuid, user.UserUuid, cancellationToken);
            throw new ConflictException(
                $"Query {queryUuid} is already {current.Status.ToName()}; only pending, queued or executing queries can be cancelled.");
        }

        return new CancelQueryResults { QueryUuid = queryUuid, Status = QueryStatus.Cancelled.ToName() };
    }

    /// <summary>Deletes the query (cancelling it first if it runs), and its results file when no other query shares it.</summary>
    public async Task<DeleteQueryResults> DeleteAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var query = await GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        return new DeleteQueryResults { QueryUuid = queryUuid, ResultsDeleted = await RemoveAsync(query, cancellationToken) };
    }

    /// <summary>
    /// Removes a query whose caller was checked already (or that the system ends): cancels it if it runs,
    /// deletes its row, its exports, and its results file unless another query shares it. True when the file was deleted.
    /// </summary>
    public async Task<bool> RemoveAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        var queryUuid = query.QueryUuid;
        if (query.Status.IsActive())
        {
            await CancelIfActiveAsync(queryUuid, cancellationToken);
        }

        var fileName = await history.DeleteAsync(queryUuid, cancellationToken);
        var deleteFile = fileName is not null && !await history.IsFileReferencedAsync(fileName, cancellationToken);
        if (deleteFile)
        {
            await results.DeleteAsync(fileName, cancellationToken);
        }

        // Its exports are copies of its rows: a presigned link must not outlive the query.
        await results.DeleteExportsAsync(query.ProjectUuid, queryUuid, cancellationToken);

        logger.LogInformation("Query {QueryUuid} deleted (results file deleted: {ResultsDeleted})", queryUuid, deleteFile);
        return deleteFile;
    }

    /// <summary>The query, which must be ready (409 otherwise).</summary>
    public async Task<QueryHistoryRecord> GetReadyQueryAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var query = await GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        return query.Status switch
        {
            QueryStatus.Ready => query,
            QueryStatus.Expired => throw new ConflictException(ExpiredMessage(query)),
            _ => throw new ConflictException($"Query {queryUuid} is {query.Status.ToName()}; its results are available once it is ready."),
        };
    }

    /// <summary>Writes a ready query's whole result as JSON lines, streamed, never held in memory.</summary>
    public Task WriteAllResultsAsync(QueryHistoryRecord query, PipeWriter destination, CancellationToken cancellationToken) =>
        results.CopyAllAsync(HistoryResultSources.Of(query), destination, cancellationToken);

    /// <summary>The wait a request asked for, validated against <see cref="QueryExecutionOptions.MaxWaitMs"/>.</summary>
    public TimeSpan ValidateWait(int? waitMs) => waitMs switch
    {
        null or 0 => TimeSpan.Zero,
        < 0 => throw new ValidationException($"waitMs must be 0 or more (got {waitMs})."),
        _ when waitMs > _options.MaxWaitMs => throw new ValidationException($"waitMs must be at most {_options.MaxWaitMs} (got {waitMs})."),
        _ => TimeSpan.FromMilliseconds(waitMs.Value),
    };

    /// <summary>The caller's own query in a project they are a member of; 404 for anyone else's.</summary>
    public async Task<QueryHistoryRecord> GetOwnQueryAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        // Both reads at once: the row is looked up by project and owner, so reading it before the access
        // check answers reveals nothing, and a poll costs one database round trip of waiting, not two.
        var row = history.GetAsync(projectUuid, queryUuid, user.UserUuid, cancellationToken);
        try
        {
            await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        }
        catch
        {
            // The access failure is the answer; the row's outcome (perhaps its own 404) is not.
            await row.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw;
        }

        return await row;
    }

    // Only for queries that asked to be cancelled when unread, and not at every poll: at most once a
    // second, and four times within their unread time.
    private async Task MarkReadAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        if (query.CancelIfUnreadMs is { } unreadMs && query.Status.IsActive()
            && (query.LastReadAt is not { } last
                || DateTime.UtcNow - DateTime.SpecifyKind(last, DateTimeKind.Utc) > TimeSpan.FromMilliseconds(Math.Min(1000, unreadMs / 4))))
        {
            await history.MarkReadAsync(query.QueryUuid, cancellationToken);
        }
    }

    private async Task<QueryProgressResults?> ProgressAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        switch (query.Status)
        {
            case QueryStatus.Executing:
                return new QueryProgressResults
                {
                    RowsWritten = query.RowsWritten ?? 0,
                    BytesWritten = query.BytesWritten ?? 0,
                    ElapsedMs = query.ProcessingStartedAt is { } started ? (long)(DateTime.UtcNow - DateTime.SpecifyKind(started, DateTimeKind.Utc)).TotalMilliseconds : null,
                };
            case QueryStatus.Pending or QueryStatus.Queued when query.JoinedQueryUuid is null:
                var (position, userSlots) = await history.QueuePlaceAsync(query.QueryUuid, cancellationToken);
                return new QueryProgressResults
                {
                    QueuePosition = position,
                    WaitingFor = userSlots >= authOptions.Value.MaxExecutingQueriesPerUser ? "userLimit" : "workersBusy",
                };
            default:
                return null;
        }
    }

    /// <summary>Cancels the query if it is pending, queued or executing; false when it was not.</summary>
    public async Task<bool> CancelIfActiveAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        if (!await history.CancelAsync(queryUuid, cancellationToken))
        {
            return false;
        }

        // Stop it at once when it runs here; other instances hear the notification.
        running.Cancel(queryUuid);
        logger.LogInformation("Query {QueryUuid} cancelled", queryUuid);
        if (await cache.PromoteFollowersAsync(queryUuid, cancellationToken) is { } newLeader)
        {
            // Queries that had joined this one still want their results: the oldest runs for them all.
            logger.LogInformation("Query {QueryUuid} now runs for the queries that had joined {CancelledUuid}", newLeader, queryUuid);
            await queue.EnqueueAsync(newLeader, cancellationToken);
        }

        return true;
    }

    private static string ExpiredMessage(QueryHistoryRecord query) =>
        query.Error is { } error && query.ResultsExpiresAt is null
            ? error
            : $"The results of query {query.QueryUuid} expired{(query.ResultsExpiresAt is { } at ? $" at {QueryTimings.Utc(at):u}" : "")} and were deleted; run the query again."
              + (query.Error is { } original ? $" It had failed: {original}" : "");
}
