using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Statements;

/// <summary>A session of the statements API: its owner and when it ends unless used.</summary>
/// <param name="SessionId">Its id (sent back in the session header).</param>
/// <param name="UserUuid">Its owner.</param>
/// <param name="CreatedAt">When it was opened.</param>
/// <param name="ExpiresAt">When it ends unless used before.</param>
public sealed record StatementSession(Guid SessionId, Guid UserUuid, DateTime CreatedAt, DateTime ExpiresAt);

/// <summary>Reads and writes <c>statement_sessions</c>.</summary>
public sealed class StatementSessionStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "session_id AS SessionId, user_uuid AS UserUuid, created_at AS CreatedAt, expires_at AS ExpiresAt";

    private const string InsertSql = $"""
        INSERT INTO statement_sessions (session_id, user_uuid, idle_timeout_seconds, expires_at)
        VALUES (@sessionId, @userUuid, @idleSeconds, now() + make_interval(secs => @idleSeconds))
        RETURNING {Columns}
        """;

    // Only the owner's open session is found; using it moves its end on.
    private const string TouchSql = $"""
        UPDATE statement_sessions SET last_used_at = now(), expires_at = now() + make_interval(secs => idle_timeout_seconds)
        WHERE session_id = @sessionId AND user_uuid = @userUuid AND closed_at IS NULL AND expires_at > now()
        RETURNING {Columns}
        """;

    private const string CloseSql = """
        UPDATE statement_sessions SET closed_at = now()
        WHERE session_id = @sessionId AND user_uuid = @userUuid AND closed_at IS NULL AND expires_at > now()
        """;

    private const string CloseExpiredSql = """
        UPDATE statement_sessions SET closed_at = now() WHERE closed_at IS NULL AND expires_at <= now()
        """;

    // A closed session is forgotten once none of its statements is left to end.
    private const string ForgetClosedSql = """
        DELETE FROM statement_sessions s WHERE closed_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM statements t WHERE t.session_id = s.session_id AND t.ended_at IS NULL)
          AND closed_at < now() - make_interval(secs => @retentionSeconds)
        """;

    /// <summary>Opens a session for the user that ends after <paramref name="idleTimeout"/> without use.</summary>
    public async Task<StatementSession> OpenAsync(Guid userUuid, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<StatementSession>(new CommandDefinition(
            InsertSql, new { sessionId = Guid.NewGuid(), userUuid, idleSeconds = (int)idleTimeout.TotalSeconds }, cancellationToken: cancellationToken));
    }

    /// <summary>The user's open session, its end moved on; null when it does not exist, is someone else's, or has ended.</summary>
    public async Task<StatementSession?> TouchAsync(Guid sessionId, Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StatementSession>(new CommandDefinition(TouchSql, new { sessionId, userUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>Closes the user's open session; false when there is none such.</summary>
    public async Task<bool> CloseAsync(Guid sessionId, Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(CloseSql, new { sessionId, userUuid }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Marks sessions past their end closed (their statements are then ended); how many.</summary>
    public async Task<int> CloseExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(CloseExpiredSql, cancellationToken: cancellationToken));
    }

    /// <summary>Deletes closed sessions whose statements have all ended, once <paramref name="retention"/> has passed.</summary>
    public async Task<int> ForgetClosedAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(ForgetClosedSql, new { retentionSeconds = retention.TotalSeconds }, cancellationToken: cancellationToken));
    }
}
