using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Content;

/// <summary>Saved SQL charts of a project: saved by developers, run by every member.</summary>
[Route("api/v1/projects/{projectUuid}/sqlCharts")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class SqlChartsController(SqlChartService charts) : AuthenticatedApiController
{
    /// <summary>The project's saved SQL charts.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The charts.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<IReadOnlyList<SqlChartResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<SqlChartResults>>> List(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.ListAsync(Caller, projectUuid, cancellationToken));

    /// <summary>One saved SQL chart, by id or slug.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="uuidOrSlug">The chart's id or slug.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The chart.</response>
    [HttpGet("{uuidOrSlug}")]
    [ProducesResponseType<ApiResponse<SqlChartResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<SqlChartResults>> Get(Guid projectUuid, string uuidOrSlug, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.GetAsync(Caller, projectUuid, uuidOrSlug, cancellationToken));

    /// <summary>Save a SQL chart (developers).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">Its name, slug, SQL and limit.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The saved chart.</response>
    /// <response code="400">A field is missing or invalid.</response>
    /// <response code="409">The slug is taken in the project.</response>
    [HttpPost]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<SqlChartResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<SqlChartResults>> Create(Guid projectUuid, [FromBody] SaveSqlChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.CreateAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Change a SQL chart (developers). The slug stays.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="savedSqlUuid">The chart.</param>
    /// <param name="request">Its new name, SQL and limit.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The changed chart.</response>
    /// <response code="400">A field is missing or invalid.</response>
    [HttpPut("{savedSqlUuid}")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<SqlChartResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    public async Task<ApiResponse<SqlChartResults>> Update(Guid projectUuid, Guid savedSqlUuid, [FromBody] SaveSqlChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.UpdateAsync(Caller, projectUuid, savedSqlUuid, request, cancellationToken));

    /// <summary>Delete a SQL chart (developers).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="savedSqlUuid">The chart.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Deleted.</response>
    [HttpDelete("{savedSqlUuid}")]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<string>> Delete(Guid projectUuid, Guid savedSqlUuid, CancellationToken cancellationToken)
    {
        await charts.DeleteAsync(Caller, projectUuid, savedSqlUuid, cancellationToken);
        return ApiResponse.Ok("deleted");
    }
}
