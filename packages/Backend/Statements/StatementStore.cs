using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Statements;

/// <summary>A statement's handle (the <c>query_uuid</c> of its history row) and what it belongs to.</summary>
public sealed class StatementRecord
{
    /// <summary>The handle: the id of the statement's history row.</summary>
    public Guid StatementHandle { get; init; }

    /// <summary>Its owner.</summary>
    public Guid UserUuid { get; init; }

    /// <summary>The project it ran on.</summary>
    public Guid ProjectUuid { get; init; }

    /// <summary>The session it belongs to, or null (then it belongs to its owner alone).</summary>
    public Guid? SessionId { get; init; }

    /// <summary>The client's request id, or null.</summary>
    public string? RequestId { get; init; }

    /// <summary>A hash of what was submitted (a retry with the same request id must submit the same).</summary>
    public string StatementHash { get; init; } = "";

    /// <summary>False when SQL NULL comes back as the text <c>null</c>.</summary>
    public bool Nullable { get; init; } = true;

    /// <summary>When it was submitted.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>When it and its results end.</summary>
    public DateTime ExpiresAt { get; init; }

    /// <summary>When it ended (its results deleted), or null.</summary>
    public DateTime? EndedAt { get; init; }

    /// <summary>Why it ended: <c>expired</c>, <c>session closed</c> or <c>session expired</c>.</summary>
    public string? EndReason { get; init; }
}

/// <summary>The outcome of reserving a handle.</summary>
public enum StatementReservation
{
    /// <summary>Reserved.</summary>
    Reserved,

    /// <summary>The user already has a statement with this request id.</summary>
    DuplicateRequestId,

    /// <summary>The session holds as many statements as it may.</summary>
    SessionFull,
}

/// <summary>Reads and writes <c>statements</c>.</summary>
public sealed class StatementStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        statement_handle AS StatementHandle, user_uuid AS UserUuid, project_uuid AS ProjectUuid, session_id AS SessionId,
        request_id AS RequestId, statement_hash AS StatementHash, nullable AS Nullable, created_at AS CreatedAt, expires_at AS ExpiresAt,
        ended_at AS EndedAt, end_reason AS EndReason
        """;

    // The session row is locked for the statement, so two submits cannot both take its last place.
    private const string ReserveSql = """
        WITH session AS (
            SELECT session_id FROM statement_sessions WHERE session_id = @SessionId FOR UPDATE),
        allowed AS (
            SELECT @SessionId IS NULL OR (SELECT count(*) FROM statements WHERE session_id = @SessionId AND ended_at IS NULL) < @MaxPerSession AS ok
            FROM (SELECT 1) one LEFT JOIN session ON true)
        INSERT INTO statements (statement_handle, user_uuid, project_uuid, session_id, request_id, statement_hash, nullable, expires_at)
        SELECT @StatementHandle, @UserUuid, @ProjectUuid, @SessionId, @RequestId, @StatementHash, @Nullable, now() + make_interval(secs => @TtlSeconds)
        FROM allowed WHERE ok
        ON CONFLICT (user_uuid, request_id) WHERE request_id IS NOT NULL DO NOTHING
        RETURNING 1
        """;

    private const string ByRequestIdSql = $"SELECT {Columns} FROM statements WHERE user_uuid = @userUuid AND request_id = @requestId";

    private const string ByHandleSql = $"SELECT {Columns} FROM statements WHERE statement_handle = @handle AND user_uuid = @userUuid";

    private const string DeleteSql = "DELETE FROM statements WHERE statement_handle = @handle";

    // Due to end: past their time, or in a session that is closed or past its own time.
    private const string DueSql = """
        SELECT t.statement_handle AS StatementHandle, t.user_uuid AS UserUuid, t.project_uuid AS ProjectUuid, t.session_id AS SessionId,
               t.request_id AS RequestId, t.statement_hash AS StatementHash, t.nullable AS Nullable, t.created_at AS CreatedAt, t.expires_at AS ExpiresAt,
               t.ended_at AS EndedAt, t.end_reason AS EndReason,
               CASE WHEN t.expires_at <= now() THEN 'expired' WHEN s.closed_at IS NOT NULL AND s.expires_at > s.closed_at THEN 'session closed' ELSE 'session expired' END AS Reason
        FROM statements t LEFT JOIN statement_sessions s ON s.session_id = t.session_id
        WHERE t.ended_at IS NULL AND (t.expires_at <= now() OR s.closed_at IS NOT NULL OR s.expires_at <= now())
        ORDER BY t.expires_at
        LIMIT @limit
        """;

    private const string EndSql = "UPDATE statements SET ended_at = now(), end_reason = @reason WHERE statement_handle = @handle AND ended_at IS NULL";

    private const string ForgetEndedSql = "DELETE FROM statements WHERE ended_at < now() - make_interval(secs => @retentionSeconds)";

    /// <summary>Reserves a handle for a statement about to be submitted.</summary>
    public async Task<StatementReservation> ReserveAsync(StatementRecord statement, TimeSpan ttl, int maxPerSession, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(ReserveSql, new
        {
            statement.StatementHandle,
            statement.UserUuid,
            statement.ProjectUuid,
            statement.SessionId,
            statement.RequestId,
            statement.StatementHash,
            statement.Nullable,
            TtlSeconds = ttl.TotalSeconds,
            MaxPerSession = maxPerSession,
        }, cancellationToken: cancellationToken));
        if (inserted is not null)
        {
            return StatementReservation.Reserved;
        }

        return statement.RequestId is { } requestId && await FindByRequestIdAsync(statement.UserUuid, requestId, cancellationToken) is not null
            ? StatementReservation.DuplicateRequestId
            : StatementReservation.SessionFull;
    }

    /// <summary>The user's statement submitted with this request id, or null.</summary>
    public async Task<StatementRecord?> FindByRequestIdAsync(Guid userUuid, string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StatementRecord>(new CommandDefinition(ByRequestIdSql, new { userUuid, requestId }, cancellationToken: cancellationToken));
    }

    /// <summary>The user's statement with this handle, or null (also when it is someone else's).</summary>
    public async Task<StatementRecord?> FindAsync(Guid handle, Guid userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StatementRecord>(new CommandDefinition(ByHandleSql, new { handle, userUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>Forgets a reservation whose submit failed.</summary>
    public async Task DeleteAsync(Guid handle, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { handle }, cancellationToken: cancellationToken));
    }

    /// <summary>Statements due to end (past their time, or their session closed or expired), oldest first, with why.</summary>
    public async Task<IReadOnlyList<(StatementRecord Statement, string Reason)>> FindDueAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StatementRecord, string, (StatementRecord, string)>(
            new CommandDefinition(DueSql, new { limit }, cancellationToken: cancellationToken),
            (statement, reason) => (statement, reason),
            splitOn: "Reason");
        return rows.ToList();
    }

    /// <summary>Marks the statement ended, with why; false when it had ended already.</summary>
    public async Task<bool> EndAsync(Guid handle, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(EndSql, new { handle, reason }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Forgets ended statements once <paramref name="retention"/> has passed (their handles then answer 404).</summary>
    public async Task<int> ForgetEndedAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(ForgetEndedSql, new { retentionSeconds = retention.TotalSeconds }, cancellationToken: cancellationToken));
    }
}
