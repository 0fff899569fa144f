using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Statements;

/// <summary>Sessions of the statements API: opened by a user, ended by closing or by going unused.</summary>
public sealed class StatementSessionService(
    StatementSessionStore sessions, StatementCleanup cleanup, IOptions<StatementsOptions> options, ILogger<StatementSessionService> logger)
{
    /// <summary>Opens a session for the caller.</summary>
    public async Task<StatementSessionResults> OpenAsync(CurrentUser user, CancellationToken cancellationToken)
    {
        var session = await sessions.OpenAsync(user.UserUuid, options.Value.SessionIdleTimeout, cancellationToken);
        logger.LogInformation("Statements session {SessionId} opened by {UserUuid}", session.SessionId, user.UserUuid);
        return Results(session);
    }

    /// <summary>The caller's open session, its end moved on; 404 otherwise.</summary>
    public async Task<StatementSessionResults> GetAsync(CurrentUser user, Guid sessionId, CancellationToken cancellationToken) =>
        Results(await sessions.TouchAsync(sessionId, user.UserUuid, cancellationToken) ?? throw NotFound(sessionId));

    /// <summary>Closes the caller's session: its statements are cancelled and their results deleted at once.</summary>
    public async Task CloseAsync(CurrentUser user, Guid sessionId, CancellationToken cancellationToken)
    {
        if (!await sessions.CloseAsync(sessionId, user.UserUuid, cancellationToken))
        {
            throw NotFound(sessionId);
        }

        var ended = await cleanup.EndDueAsync(cancellationToken);
        logger.LogInformation("Statements session {SessionId} closed ({Ended} statements ended)", sessionId, ended);
    }

    private static NotFoundException NotFound(Guid sessionId) => new($"Session {sessionId} does not exist or has ended.");

    private static StatementSessionResults Results(StatementSession session) => new()
    {
        SessionId = session.SessionId,
        CreatedAt = DateTime.SpecifyKind(session.CreatedAt, DateTimeKind.Utc),
        ExpiresAt = DateTime.SpecifyKind(session.ExpiresAt, DateTimeKind.Utc),
    };
}
