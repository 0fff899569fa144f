using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Content;

/// <summary>The query routes of saved content (charts, SQL charts, dashboard tiles): each runs what is saved, with the caller's filters, like any other query.</summary>
[Tags("Query")]
public sealed class ContentQueryController(
    SqlChartService sqlCharts,
    SavedChartService savedCharts,
    DashboardService dashboards) : QueryRouteController
{
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
}
