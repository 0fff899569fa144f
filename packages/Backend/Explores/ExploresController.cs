using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Explores;

/// <summary>The semantic layer: explores built from a project's model files.</summary>
[Route("api/v1/projects/{projectUuid}")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class ExploresController(ExploreService explores) : AuthenticatedApiController
{
    /// <summary>The project's explores, with their fields.</summary>
    /// <remarks>
    /// One explore per model of the project's model files (dbt-style YAML, Lightdash settings under
    /// <c>meta</c> or <c>config.meta</c>). A model with an error is left out and listed in
    /// <c>errors</c> (file, model, field, line); ignored keys are listed in <c>warnings</c>.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The explores and the problems found.</response>
    [HttpGet("explores")]
    [ProducesResponseType<ApiResponse<ExploreCatalogResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExploreCatalogResults>> List(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await explores.ListAsync(Caller, projectUuid, cancellationToken));

    /// <summary>One explore, with its tables and fields.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="exploreName">The explore's name (its base model's).</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The explore.</response>
    /// <response code="404">The project or the explore does not exist.</response>
    [HttpGet("explores/{exploreName}")]
    [ProducesResponseType<ApiResponse<ExploreResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExploreResults>> Get(Guid projectUuid, string exploreName, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await explores.GetAsync(Caller, projectUuid, exploreName, cancellationToken));

    /// <summary>Load the project's model files again (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The explores and the problems found.</response>
    [HttpPost("refresh")]
    [ProducesResponseType<ApiResponse<ExploreCatalogResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExploreCatalogResults>> Refresh(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await explores.RefreshAsync(Caller, projectUuid, cancellationToken));
}
