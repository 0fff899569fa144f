using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Services;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Controllers;

/// <summary>Runs queries in the background and serves their results page by page.</summary>
[ApiController]
[Route("api/v2/projects/{projectUuid}/query")]
[Produces("application/json")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status500InternalServerError)]
public sealed class QueryController(AsyncQueryService queries) : ControllerBase
{
    /// <summary>Run SQL on the project's warehouse.</summary>
    /// <remarks>
    /// Records the query as <c>pending</c>, hands it to a background worker and answers at once with
    /// its <c>queryUuid</c>. Poll <c>GET .../query/{queryUuid}</c> until the status is <c>ready</c>
    /// (or <c>error</c>); then read pages from the same route.
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
        ApiResponse.Ok(await queries.ExecuteSqlAsync(projectUuid, request, cancellationToken));

    /// <summary>A query's status, or a page of its results once ready.</summary>
    /// <remarks>
    /// While the query is <c>pending</c>, <c>queued</c> or <c>executing</c> the answer holds only
    /// <c>status</c> and <c>queryUuid</c>; on <c>error</c> also <c>error</c> and <c>erroredAt</c>.
    /// Once <c>ready</c> it holds the requested page: <c>rows</c>, <c>columns</c>, page counts and timings.
    /// A page is read from the stored results with ranged reads, so the last page of a large result
    /// costs about what the first does.
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id, from the execute route.</param>
    /// <param name="page">The page number, from 1 (default 1); at most the last page.</param>
    /// <param name="pageSize">Rows per page, from 1 to 5000 (default 500).</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The status, or the page.</response>
    /// <response code="400">page or pageSize is out of range.</response>
    /// <response code="404">The project or the query does not exist.</response>
    [HttpGet("{queryUuid}")]
    [ProducesResponseType<ApiResponse<QueryResultsPage>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<QueryResultsPage>> GetResults(
        Guid projectUuid, Guid queryUuid, [FromQuery] int? page, [FromQuery] int? pageSize, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await queries.GetResultsPageAsync(projectUuid, queryUuid, page, pageSize, cancellationToken));
}
