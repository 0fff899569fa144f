using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Content;

/// <summary>Dashboards of a project: tiles of saved charts, and filters applied to them.</summary>
[Route("api/v1/projects/{projectUuid}/dashboards")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class DashboardsController(DashboardService dashboards) : AuthenticatedApiController
{
    /// <summary>The project's dashboards.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The dashboards.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<IReadOnlyList<DashboardResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<DashboardResults>>> List(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await dashboards.ListAsync(Caller, projectUuid, cancellationToken));

    /// <summary>One dashboard with its tiles.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="dashboardUuid">The dashboard.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The dashboard.</response>
    [HttpGet("{dashboardUuid}")]
    [ProducesResponseType<ApiResponse<DashboardResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<DashboardResults>> Get(Guid projectUuid, Guid dashboardUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await dashboards.GetAsync(Caller, projectUuid, dashboardUuid, cancellationToken));

    /// <summary>Create a dashboard (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">Its name, tiles and filters.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The dashboard.</response>
    /// <response code="400">A field is missing, or a tile names no chart or two.</response>
    [HttpPost]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<DashboardResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    public async Task<ApiResponse<DashboardResults>> Create(Guid projectUuid, [FromBody] SaveDashboardRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await dashboards.CreateAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Replace a dashboard's name, description, tiles and filters (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="dashboardUuid">The dashboard.</param>
    /// <param name="request">Its new name, tiles and filters (tiles get new ids).</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The dashboard.</response>
    /// <response code="400">A field is missing, or a tile names no chart or two.</response>
    [HttpPut("{dashboardUuid}")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<DashboardResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    public async Task<ApiResponse<DashboardResults>> Replace(Guid projectUuid, Guid dashboardUuid, [FromBody] SaveDashboardRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await dashboards.ReplaceAsync(Caller, projectUuid, dashboardUuid, request, cancellationToken));

    /// <summary>Delete a dashboard (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="dashboardUuid">The dashboard.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Deleted.</response>
    [HttpDelete("{dashboardUuid}")]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<string>> Delete(Guid projectUuid, Guid dashboardUuid, CancellationToken cancellationToken)
    {
        await dashboards.DeleteAsync(Caller, projectUuid, dashboardUuid, cancellationToken);
        return ApiResponse.Ok("deleted");
    }
}
