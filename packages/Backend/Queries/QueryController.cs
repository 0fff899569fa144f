using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Content;
using Lightdash.Net.Backend.Deliveries;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Queries;

/// <summary>Runs queries in the background and serves their results page by page.</summary>
[Route("api/v2/projects/{projectUuid}/query")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status500InternalServerError)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status503ServiceUnavailable)]
public sealed partial class QueryController(
    AsyncQueryService queries,
    QueryDownloadService downloads,
    QueryHistoryService history,
    BatchQueryService batches,
    MetricQueryService metricQueries,
    SqlChartService sqlCharts,
    SavedChartService savedCharts,
    DashboardService dashboards,
    ComposeService composer,
    FieldValuesService fieldValues,
    TotalsService totals,
    MergeQueryService merges,
    ExportService exports) : AuthenticatedApiController
{
    /// <summary>Run several metric queries joined on their shared dimensions (any member).</summary>
    /// <remarks>
    /// Each query compiles as it would alone (its own filters, sorts and limit); the results are joined
    /// in the warehouse on the dimensions every query has (a full outer join: a value missing from one
    /// query keeps its row with NULLs), into one query with its own history row and pages. Queries
    /// without dimensions are put side by side. A column other than a shared dimension must come from
    /// one query only.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The queries.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The merged query is queued (or answered from the cache).</response>
    /// <response code="400">A query is invalid, or the queries cannot be joined.</response>
    [HttpPost("merge-query")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteMetricQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteMetricQueryResults>> MergeQuery(Guid projectUuid, [FromBody] MergeQueryRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await merges.ExecuteAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>The totals of one of the caller's metric queries.</summary>
    /// <remarks>
    /// Each metric's total over all the rows the query's dimension filters keep, computed by the
    /// warehouse from the same query without dimensions (a count_distinct or an average totals
    /// correctly). Table calculations and post-calculation metrics have no total.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="queryUuid">A metric query of the caller's.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Metric field id to total.</response>
    /// <response code="400">The query is not a metric query, or has no metric with a total.</response>
    /// <response code="502">The warehouse failed.</response>
    [HttpPost("{queryUuid}/calculate-total")]
    [ProducesResponseType<ApiResponse<IReadOnlyDictionary<string, System.Text.Json.JsonElement>>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status502BadGateway)]
    public async Task<ApiResponse<IReadOnlyDictionary<string, System.Text.Json.JsonElement>>> CalculateTotal(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await totals.TotalAsync(Caller, projectUuid, queryUuid, cancellationToken));

    /// <summary>Subtotals of one of the caller's metric queries, by groups of its dimensions.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="queryUuid">A metric query of the caller's.</param>
    /// <param name="request">The groups of dimensions.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">For each group, its rows of subtotals.</response>
    /// <response code="400">A group names a dimension the query does not have.</response>
    /// <response code="502">The warehouse failed.</response>
    [HttpPost("{queryUuid}/calculate-subtotals")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<SubtotalsResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status502BadGateway)]
    public async Task<ApiResponse<SubtotalsResults>> CalculateSubtotals(Guid projectUuid, Guid queryUuid, [FromBody] CalculateSubtotalsRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await totals.SubtotalsAsync(Caller, projectUuid, queryUuid, request, cancellationToken));

    /// <summary>The values of a dimension, for filter autocomplete (any member).</summary>
    /// <remarks>
    /// Distinct values of <c>fieldId</c> in explore <c>table</c>, containing <c>search</c> (case-insensitive),
    /// under the explore's row filter, the caller's attributes and <c>filters</c>; read straight from the
    /// warehouse (a <c>GROUP BY</c> with a limit, nothing stored) and kept for five minutes per project and
    /// query unless <c>forceRefresh</c> is set.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The field, search, filters and limit.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The values.</response>
    /// <response code="400">The explore or field is unknown, or a limit or filter is invalid.</response>
    /// <response code="502">The warehouse failed.</response>
    [HttpPost("field-values")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<FieldValuesResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status502BadGateway)]
    public async Task<ApiResponse<FieldValuesResults>> FieldValues(Guid projectUuid, [FromBody] FieldValuesRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await fieldValues.SearchAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Run SQL over stored results (developers and admins of the project).</summary>
    /// <remarks>
    /// Each entry of <c>references</c> names a table holding one of the caller's ready results in this
    /// project; the SQL (DuckDB's dialect) runs in an embedded DuckDB database that holds those tables
    /// and nothing else, without touching the warehouse. Any other reference (not ready, expired,
    /// deleted, another user's) is a 400 naming it, before anything is queued. The result is a query like
    /// any other: poll, page, download, cancel; it is cached by the SQL and the referenced results.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The SQL and its references.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued (or answered from the cache).</response>
    /// <response code="400">The SQL, a reference or a limit is invalid.</response>
    [HttpPost("compose-sql")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteQueryResults>> ComposeSql(Guid projectUuid, [FromBody] ComposeSqlRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await composer.ExecuteAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>A sorted, filtered view of one of the caller's ready results.</summary>
    /// <remarks>
    /// The view runs over the stored result (not the warehouse) and is stored as a result of its own:
    /// its <c>queryUuid</c> pages, downloads and caches like any query's. Columns are the result's;
    /// values are parsed as the column's type. An unknown column or operator, or a value of the wrong
    /// type, is a 400.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="queryUuid">The ready result to view.</param>
    /// <param name="request">Filters, sorts and a limit.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The view's query is queued (or answered from the cache).</response>
    /// <response code="400">A column, operator or value is invalid, or the result is not ready.</response>
    [HttpPost("{queryUuid}/view")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteQueryResults>> View(Guid projectUuid, Guid queryUuid, [FromBody] ResultViewRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await composer.ViewAsync(Caller, projectUuid, queryUuid, request, cancellationToken));

    /// <summary>Run SQL on the project's warehouse (developers and admins of the project).</summary>
    /// <remarks>
    /// Records the query as <c>pending</c>, hands it to a background worker and answers at once with
    /// its <c>queryUuid</c>. Poll <c>GET .../query/{queryUuid}</c> (or wait there with <c>waitMs</c>)
    /// until the status is <c>ready</c> (or <c>error</c>); then read pages from the same route.
    /// A ready result of the same SQL and limit with enough life left is reused at once
    /// (<c>cacheMetadata.cacheHit</c>), and an identical query still running is joined instead of
    /// run twice; <c>invalidateCache: true</c> runs it anew. With <c>waitMs</c> the answer waits for
    /// the query and carries its first page.
    /// </remarks>
    /// <param name="projectUuid">The project whose warehouse runs the SQL.</param>
    /// <param name="request">The SQL and its options.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued.</response>
    /// <response code="400">The SQL is missing or a field is out of range.</response>
    /// <response code="404">The project does not exist.</response>
    [HttpPost("sql")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteQueryResults>> ExecuteSql(Guid projectUuid, [FromBody] ExecuteSqlQueryRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await queries.ExecuteSqlAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Run a metric query over an explore (any member of the project).</summary>
    /// <remarks>
    /// The backend compiles the dimensions, metrics, filters, sorts and limit into SQL in the project's
    /// warehouse dialect, then runs it like any query: poll or wait on <c>GET .../query/{queryUuid}</c>
    /// and read pages there. A join that would inflate a metric is refused naming the join.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The metric query.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued (or reused); the result's fields.</response>
    /// <response code="400">An unknown explore, field or operator, or a value of the wrong type, named.</response>
    [HttpPost("metric-query")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteMetricQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteMetricQueryResults>> ExecuteMetricQuery(Guid projectUuid, [FromBody] ExecuteMetricQueryRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await metricQueries.ExecuteAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Run a saved chart, at its newest version or a given one (any member of the project).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The chart, an optional version and a smaller limit.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued (or reused); the result's fields.</response>
    /// <response code="404">The chart or version does not exist.</response>
    [HttpPost("chart")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteMetricQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteMetricQueryResults>> ExecuteChart(Guid projectUuid, [FromBody] ExecuteChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await savedCharts.ExecuteAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Run a dashboard tile's chart with the dashboard's filters (any member).</summary>
    /// <remarks>
    /// A dashboard filter applies where its field exists in the chart's explore, or where its
    /// <c>tileTargets</c> maps this tile to another field (<c>false</c> there turns it off for this
    /// tile). <c>dashboardSorts</c>, when given, replace the chart's sorts. The answer lists
    /// <c>appliedDashboardFilters</c>.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The dashboard, tile and chart, and optional filters and sorts.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued (or reused).</response>
    /// <response code="400">The tile does not show that chart.</response>
    /// <response code="404">The dashboard, tile or chart does not exist.</response>
    [HttpPost("dashboard-chart")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteMetricQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteMetricQueryResults>> ExecuteDashboardChart(Guid projectUuid, [FromBody] ExecuteDashboardChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await dashboards.ExecuteChartAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Run a dashboard tile's saved SQL chart with the dashboard's filters (any member).</summary>
    /// <remarks>
    /// Dashboard filter rules apply to the SQL's columns of the same name (or the column a rule's
    /// <c>tileTargets</c> names for this tile), by wrapping the SQL; <c>dashboardSorts</c> order it.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The dashboard, tile and SQL chart, and optional filters and sorts.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued (or reused).</response>
    /// <response code="400">The tile does not show that chart, or a sort names no column.</response>
    /// <response code="404">The dashboard, tile or chart does not exist.</response>
    [HttpPost("dashboard-sql-chart")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteDashboardSqlChartResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteDashboardSqlChartResults>> ExecuteDashboardSqlChart(Guid projectUuid, [FromBody] ExecuteDashboardSqlChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await dashboards.ExecuteSqlChartAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Run a saved SQL chart (any member of the project).</summary>
    /// <remarks>The chart's SQL, saved by a developer, runs like any query; give its id or its slug.</remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The chart and an optional smaller limit.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued (or reused).</response>
    /// <response code="400">Neither an id nor a slug, or a bad limit.</response>
    /// <response code="404">The chart does not exist.</response>
    [HttpPost("sql-chart")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteQueryResults>> ExecuteSqlChart(Guid projectUuid, [FromBody] ExecuteSqlChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await sqlCharts.ExecuteAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>The rows behind a value of an earlier metric query (any member).</summary>
    /// <remarks>
    /// Runs every visible dimension of the earlier query's explore, under that query's dimension
    /// filters and the given ones (the clicked row's dimension values), default limit 500.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The earlier query and the clicked row's filters.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The query is queued (or reused); the result's fields.</response>
    /// <response code="400">The earlier query is not a metric query, or a filter is invalid.</response>
    /// <response code="404">The earlier query does not exist (or is not the caller's).</response>
    [HttpPost("underlying-data")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ExecuteMetricQueryResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExecuteMetricQueryResults>> ExecuteUnderlyingData(Guid projectUuid, [FromBody] ExecuteUnderlyingDataRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await metricQueries.ExecuteUnderlyingDataAsync(Caller, projectUuid, request, cancellationToken));
}
