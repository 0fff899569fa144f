using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Common;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// The rules of asynchronous queries: submitting reuses a fresh cached result, joins an identical
/// query already running, or records a <c>pending</c> row and hands the query to a background job;
/// reading answers the status, or a page once the query is ready.
/// </summary>
public sealed partial class AsyncQueryService(
    ProjectAccess access,
    QueryHistoryStore history,
    QueryCacheStore cache,
    IResultsStore results,
    RunningQueries running,
    QueryWaiter waiter,
    QueryStatusCache statuses,
    QueryQueue queue,
    IOptions<QueryExecutionOptions> options,
    IOptions<AuthOptions> authOptions,
    IQueryVariables variables,
    Warehouses.WarehouseClientFactory warehouses,
    WarehouseLogins logins,
    SecretBox secrets,
    QueryCallbackJob callbacks,
    SubmissionQuotas quotas,
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

        InputLimits.StatementTimeout(request.StatementTimeoutSeconds);
        return sql;
    }

    /// <summary>
    /// 400 unless the context is short and plain (letters, digits, '.', '-', '_'): it is stored with the
    /// query, tags its metrics and names it in the warehouse, on every route that takes one.
    /// </summary>
    private static void CheckContext(string? context)
    {
        var trimmed = context?.Trim() ?? "";
        if (trimmed.Length > MaxContextLength || !trimmed.All(Warehouses.QueryTag.IsContextCharacter))
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
            StatementTimeout: InputLimits.StatementTimeout(request.StatementTimeoutSeconds),
            CancelIfUnread: request.CancelIfUnreadSeconds is { } unread ? TimeSpan.FromSeconds(unread) : null,
            ParametersJson: parametersJson).For(request));
    }

    /// <summary>
    /// Submits SQL the backend compiled or the caller may run (access already checked): a cache hit,
    /// a join of an identical running query, or a new job. Every execute route ends here.
    /// </summary>
    private async Task<ExecuteQueryResults> SubmitCompiledAsync(CurrentUser user, Project project, CompiledSubmission submission, CancellationToken cancellationToken)
    {
        CheckContext(submission.Context);
        await quotas.CheckAsync(user, project, cancellationToken);
        if (project.RequireUserCredentials && submission.ComposeReferencesJson is null)
        {
            // Refused now, not after the queue: the caller learns where to save a login.
            await logins.ForRequestAsync(project, user.UserUuid, cancellationToken);
        }

        var query = NewQueryOf(user, project, submission);
        using var activity = LightdashTelemetry.StartQueryActivity("query.submit", query.QueryUuid);
        LightdashTelemetry.QueriesSubmitted.Add(1, new KeyValuePair<string, object?>("context", query.Context));
        var miss = new CacheMetadata { CacheHit = false };
        if (!submission.InvalidateCache)
        {
            var ttl = project.ResultsCacheTtl ?? _options.ResultsTtl;
            if (await cache.TryCreateCacheHitAsync(query, QueryExecutionOptions.ReuseBuffer(ttl), cancellationToken) is { } hit)
            {
                logger.LogInformation("Query {QueryUuid} reused a cached result of {CacheKey}", query.QueryUuid, query.CacheKey);
                LightdashTelemetry.CacheHits.Add(1);
                if (query.CallbackUrl is not null)
                {
                    // Ready at once: nothing else announces its end.
                    await callbacks.StartIfEndedAsync(query.QueryUuid, cancellationToken);
                }

                return new ExecuteQueryResults
                {
                    QueryUuid = query.QueryUuid,
                    CacheMetadata = new CacheMetadata
                    {
                        CacheHit = true,
                        CacheUpdatedTime = Timestamps.Utc(hit.CreatedAt),
                        CacheExpiresAt = Timestamps.Utc(hit.ExpiresAt),
                    },
                };
            }

            if (await cache.JoinOrCreateAsync(query, cancellationToken) is { } leader)
            {
                logger.LogInformation("Query {QueryUuid} joined the identical query {LeaderUuid} already running", query.QueryUuid, leader);
                LightdashTelemetry.SingleFlightJoins.Add(1);
                return new ExecuteQueryResults { QueryUuid = query.QueryUuid, CacheMetadata = miss };
            }
        }
        else
        {
            await history.CreateAsync(query, cancellationToken);
        }

        await queue.EnqueueAsync(query.QueryUuid, query.Context, submission.Priority, cancellationToken);
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

    /// <summary>The history row a submission starts as: its cache key names the SQL, limit, time zone and (with per-user logins) whose login runs it.</summary>
    private NewQuery NewQueryOf(CurrentUser user, Project project, CompiledSubmission submission) =>
        new(
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
            submission.BindingsJson,
            submission.Priority.ToName(),
            QueryCallbacks.CheckedUrl(submission.Callback),
            submission.Callback?.Secret is { } secret ? secrets.Protect(secret, QueryCallbacks.SecretColumn) : null);
}
