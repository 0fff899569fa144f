using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Content;

/// <summary>Saved charts of a project: metric queries with a chart configuration, versioned.</summary>
[Route("api/v1/projects/{projectUuid}/saved")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class SavedChartsController(SavedChartService charts) : AuthenticatedApiController
{
    /// <summary>The project's charts, each at its newest version.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The charts.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<IReadOnlyList<SavedChartResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<SavedChartResults>>> List(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.ListAsync(Caller, projectUuid, cancellationToken));

    /// <summary>A chart at a version (the newest by default), with its version ids.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="chartUuid">The chart.</param>
    /// <param name="versionUuid">A version; the newest when absent.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The chart.</response>
    [HttpGet("{chartUuid}")]
    [ProducesResponseType<ApiResponse<SavedChartResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<SavedChartResults>> Get(Guid projectUuid, Guid chartUuid, [FromQuery] Guid? versionUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.GetAsync(Caller, projectUuid, chartUuid, versionUuid, cancellationToken));

    /// <summary>Save a chart (project admins).</summary>
    /// <remarks>Its metric query is compiled against the project's explores first: an unknown field is a 400.</remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">Its name, metric query and chart configuration.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The saved chart.</response>
    /// <response code="400">A field is missing, or the metric query does not compile.</response>
    [HttpPost]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<SavedChartResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    public async Task<ApiResponse<SavedChartResults>> Create(Guid projectUuid, [FromBody] SaveChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.CreateAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Save a new version of a chart (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="chartUuid">The chart.</param>
    /// <param name="request">The new metric query and chart configuration.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The chart at its new version.</response>
    /// <response code="400">The metric query does not compile.</response>
    [HttpPost("{chartUuid}/versions")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<SavedChartResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    public async Task<ApiResponse<SavedChartResults>> AddVersion(Guid projectUuid, Guid chartUuid, [FromBody] SaveChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.AddVersionAsync(Caller, projectUuid, chartUuid, request, cancellationToken));

    /// <summary>Rename a chart or change its description (project admins).</summary>
    /// <remarks>Its metric query and configuration change by saving a new version.</remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="chartUuid">The chart.</param>
    /// <param name="request">The new name and description (other fields are ignored).</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The chart.</response>
    /// <response code="400">The name is missing.</response>
    [HttpPatch("{chartUuid}")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<SavedChartResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    public async Task<ApiResponse<SavedChartResults>> Rename(Guid projectUuid, Guid chartUuid, [FromBody] SaveChartRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await charts.RenameAsync(Caller, projectUuid, chartUuid, request, cancellationToken));

    /// <summary>Delete a chart and its versions (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="chartUuid">The chart.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Deleted.</response>
    [HttpDelete("{chartUuid}")]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<string>> Delete(Guid projectUuid, Guid chartUuid, CancellationToken cancellationToken)
    {
        await charts.DeleteAsync(Caller, projectUuid, chartUuid, cancellationToken);
        return ApiResponse.Ok("deleted");
    }
}
