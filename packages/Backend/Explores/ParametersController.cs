using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Explores;

/// <summary>A project's parameters: values requests set in <c>parameters</c>, referred to by model and saved SQL.</summary>
[Route("api/v1/projects/{projectUuid}/parameters")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class ParametersController(QueryVariablesService variables) : AuthenticatedApiController
{
    /// <summary>The project's parameters with their options (any member).</summary>
    /// <remarks>
    /// Defined in <c>lightdash.config.yml</c> (<c>parameters:</c>) or a model's <c>meta.parameters</c>
    /// (named <c>model.name</c>). Options from a dimension are read from the warehouse under the
    /// caller's row filters and kept for five minutes.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The parameters.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<IReadOnlyList<ProjectParameterResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<ProjectParameterResults>>> List(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await variables.ListAsync(Caller, projectUuid, cancellationToken));
}
