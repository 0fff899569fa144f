using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Explores;

/// <summary>The query routes over a project's explores (metric queries, underlying data, totals, field values, merges): each compiles its query and submits it like any other.</summary>
[Tags("Query")]
public sealed class ExploreQueryController(
    MetricQueryService metricQueries,
    FieldValuesService fieldValues,
    TotalsService totals,
    MergeQueryService merges) : QueryRouteController
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
