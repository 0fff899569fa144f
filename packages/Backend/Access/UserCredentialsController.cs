using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Access;

/// <summary>The caller's own warehouse login for a project (any member, for themselves).</summary>
/// <remarks>
/// A project with <c>requireUserCredentials</c> runs each user's statements with that user's own login
/// instead of the project's, so that users of one PostgreSQL warehouse can neither see each other's SQL
/// in <c>pg_stat_activity</c> nor cancel it. Until a member saves a login there, their queries are refused (409).
/// </remarks>
[Route("api/v1/projects/{projectUuid}/user-credentials")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class UserCredentialsController(UserCredentialsService credentials) : AuthenticatedApiController
{
    /// <summary>The caller's saved login (its user name, never its password).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The login's user name.</response>
    /// <response code="404">The project does not exist for the caller, or they saved no login.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<UserCredentialsResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<UserCredentialsResults>> Get(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await credentials.GetAsync(Caller, projectUuid, cancellationToken));

    /// <summary>Save the caller's login (tried on the warehouse first).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The login's user name and password.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Saved.</response>
    /// <response code="400">The login is malformed, refused by the warehouse, or privileged; or the warehouse is not PostgreSQL.</response>
    [HttpPut]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<UserCredentialsResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    public async Task<ApiResponse<UserCredentialsResults>> Save(Guid projectUuid, [FromBody] SaveUserCredentialsRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await credentials.SaveAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Delete the caller's saved login.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Deleted.</response>
    /// <response code="404">The project does not exist for the caller, or they saved no login.</response>
    [HttpDelete]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<string>> Delete(Guid projectUuid, CancellationToken cancellationToken)
    {
        await credentials.DeleteAsync(Caller, projectUuid, cancellationToken);
        return ApiResponse.Ok("deleted");
    }
}
