using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Access;

/// <summary>The caller and their personal access tokens.</summary>
[Route("api/v1/user")]
public sealed class UserController(UserService users) : AuthenticatedApiController
{
    /// <summary>Who the token belongs to.</summary>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The caller.</response>
    /// <response code="401">No valid token.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<UserResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<UserResults>> GetMe(CancellationToken cancellationToken) =>
        ApiResponse.Ok(await users.GetMeAsync(Caller, cancellationToken));

    /// <summary>The caller's personal access tokens.</summary>
    /// <remarks>Never the tokens themselves: only their first characters, dates and state.</remarks>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The tokens, newest first.</response>
    /// <response code="401">No valid token.</response>
    [HttpGet("personal-access-tokens")]
    [ProducesResponseType<ApiResponse<IReadOnlyList<TokenResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<TokenResults>>> ListTokens(CancellationToken cancellationToken) =>
        ApiResponse.Ok(await users.ListTokensAsync(Caller, cancellationToken));

    /// <summary>Create a personal access token.</summary>
    /// <remarks>The answer holds the token once; only its SHA-256 hash is stored, so it cannot be shown again.</remarks>
    /// <param name="request">What it is for, and when it expires.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The new token.</response>
    /// <response code="400">No description, or an expiry in the past.</response>
    /// <response code="401">No valid token.</response>
    [HttpPost("personal-access-tokens")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<CreatedTokenResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    public async Task<ApiResponse<CreatedTokenResults>> CreateToken([FromBody] CreateTokenRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await users.CreateTokenAsync(Caller, request, cancellationToken));

    /// <summary>Revoke one of the caller's tokens.</summary>
    /// <remarks>It fails from the next request on.</remarks>
    /// <param name="tokenUuid">The token's id.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The token, now revoked.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="404">The caller has no such token.</response>
    [HttpDelete("personal-access-tokens/{tokenUuid}")]
    [ProducesResponseType<ApiResponse<TokenResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    public async Task<ApiResponse<TokenResults>> RevokeToken(Guid tokenUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await users.RevokeTokenAsync(Caller, tokenUuid, cancellationToken));
}
