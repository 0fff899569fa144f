using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Explores;

/// <summary>A project's model files, deployed through the API and kept as versions.</summary>
[Route("api/v1/projects/{projectUuid}/models")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class ModelsController(ModelDeployService deploys) : AuthenticatedApiController
{
    /// <summary>Deploy the project's model files (project admins).</summary>
    /// <remarks>
    /// The files replace the previous version whole, as Lightdash's CLI deploy does. They are loaded
    /// first: with model errors the deploy is refused (400, the errors in the message and in
    /// <c>data.errors</c>) unless <c>ignoreErrors</c> is set. Stored in the metadata database as the
    /// project's next version, they are what every instance serves from then on, ahead of a
    /// configured models folder.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">Every file of the project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The version stored and the explores it loads into.</response>
    /// <response code="400">A file is missing, unsafe or too many; or the models have errors.</response>
    [HttpPut]
    [ProducesResponseType<ApiResponse<DeployModelsResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<DeployModelsResults>> Deploy(Guid projectUuid, [FromBody] DeployModelsRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await deploys.DeployAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Delete every deployed version of the project's model files (project admins).</summary>
    /// <remarks>The project's explores come from its configured models folder again (none when it has no folder), on every instance.</remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The explores the project now has.</response>
    /// <response code="404">The project has no deployed model files.</response>
    [HttpDelete]
    [ProducesResponseType<ApiResponse<ExploreCatalogResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExploreCatalogResults>> Undeploy(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await deploys.UndeployAsync(Caller, projectUuid, cancellationToken));

    /// <summary>The project's deployed versions, newest first (developers and admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Up to 100 versions, without their files.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<IReadOnlyList<ModelVersionResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<ModelVersionResults>>> List(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await deploys.ListAsync(Caller, projectUuid, cancellationToken));

    /// <summary>The files of one deployed version (developers and admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="version">The version, from 1.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The version's files, as deployed.</response>
    /// <response code="404">The project has no such version.</response>
    [HttpGet("{version:int}")]
    [ProducesResponseType<ApiResponse<ModelVersionFilesResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ModelVersionFilesResults>> Files(Guid projectUuid, int version, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await deploys.GetFilesAsync(Caller, projectUuid, version, cancellationToken));
}
