using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Statements;

/// <summary>
/// Sessions of the statements API. A statement submitted with a session (header <c>X-Lightdash-Session</c>)
/// belongs to it: only calls that present the session read or cancel it, and closing or expiring the
/// session ends its statements and deletes their results. Without a session a statement belongs to its user.
/// </summary>
[Route("api/v2/statements/sessions")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class StatementSessionsController(StatementSessionService sessions) : AuthenticatedApiController
{
    /// <summary>Opens a session for the caller; it ends after <c>Statements:SessionIdleTimeout</c> (4 hours) without use.</summary>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The session.</response>
    [HttpPost]
    [ProducesResponseType<ApiResponse<StatementSessionResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<StatementSessionResults>> Open(CancellationToken cancellationToken) =>
        ApiResponse.Ok(await sessions.OpenAsync(Caller, cancellationToken));

    /// <summary>The caller's open session (asking moves its end on, like any use).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The session.</response>
    [HttpGet("{sessionId:guid}")]
    [ProducesResponseType<ApiResponse<StatementSessionResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<StatementSessionResults>> Get(Guid sessionId, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await sessions.GetAsync(Caller, sessionId, cancellationToken));

    /// <summary>Closes the caller's session: its running statements are cancelled and every statement's results deleted.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Closed.</response>
    [HttpDelete("{sessionId:guid}")]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<string>> Close(Guid sessionId, CancellationToken cancellationToken)
    {
        await sessions.CloseAsync(Caller, sessionId, cancellationToken);
        return ApiResponse.Ok("closed");
    }
}
