using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Access;

/// <summary>The organisation's users (organisation admins only).</summary>
[Route("api/v1/users")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
public sealed class UsersController(UserService users) : AuthenticatedApiController
{
    /// <summary>Every user.</summary>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The users.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not an organisation admin.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<IReadOnlyList<UserResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<UserResults>>> List(CancellationToken cancellationToken) =>
        ApiResponse.Ok(await users.ListAsync(Caller, cancellationToken));

    /// <summary>Create a user, with a first personal access token.</summary>
    /// <remarks>Give them the token (shown once); add them to projects with <c>PUT /api/v1/projects/{projectUuid}/access/{userUuid}</c>.</remarks>
    /// <param name="request">Their email, name and whether they are an organisation admin.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The user and their token.</response>
    /// <response code="400">The email is missing or malformed.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not an organisation admin.</response>
    /// <response code="409">The email is taken.</response>
    [HttpPost]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<CreatedUserResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<CreatedUserResults>> Create([FromBody] CreateUserRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await users.CreateAsync(Caller, request, cancellationToken));
}
