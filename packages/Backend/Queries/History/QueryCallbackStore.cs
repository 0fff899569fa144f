using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>One call of a query's completion callback.</summary>
/// <param name="Attempt">Its number, from 1.</param>
/// <param name="AttemptedAt">When it was made.</param>
/// <param name="StatusCode">The receiver's HTTP status, or null when no answer came.</param>
/// <param name="Error">What went wrong, or null.</param>
/// <param name="DurationMs">How long it took.</param>
public sealed record QueryCallbackAttempt(int Attempt, DateTime AttemptedAt, int? StatusCode, string? Error, long DurationMs);

/// <summary>
/// The completion callbacks of <c>query_history</c> and their attempts. A callback waits until its query
/// ends; one instance claims it (a conditional update, so that every instance may try and only one wins)
/// and sends it; it ends delivered or failed.
/// </summary>
public sealed class QueryCallbackStore(NpgsqlDataSource dataSource)
{
    private const string ClaimSql = $"""
        UPDATE query_history SET callback_state = 'sending'
        WHERE query_uuid = @queryUuid AND callback_state = 'waiting' AND status IN ({QueryStatusTransitions.Ended})
        RETURNING query_uuid
        """;

    private const string ClaimEndedSql = $"""
        UPDATE query_history SET callback_state = 'sending'
        WHERE query_uuid IN (
            SELECT query_uuid FROM query_history
            WHERE callback_state = 'waiting' AND status IN ({QueryStatusTransitions.Ended})
            ORDER BY created_at LIMIT @limit FOR UPDATE SKIP LOCKED)
        RETURNING query_uuid
        """;

    private const string RecordAttemptSql = """
        INSERT INTO query_callback_attempts (query_uuid, attempt, status_code, error, duration_ms)
        VALUES (@queryUuid, @Attempt, @StatusCode, @Error, @DurationMs)
        ON CONFLICT (query_uuid, attempt) DO NOTHING
        """;

    private const string FinishSql = "UPDATE query_history SET callback_state = @state WHERE query_uuid = @queryUuid AND callback_state = 'sending'";

    private const string AttemptsSql = """
        SELECT attempt AS Attempt, attempted_at AS AttemptedAt, status_code AS StatusCode, error AS Error, duration_ms AS DurationMs
        FROM query_callback_attempts WHERE query_uuid = @queryUuid ORDER BY attempt
        """;

    /// <summary>Takes the query's callback for sending, once the query has ended; false when it has none, it is not over, or another instance took it.</summary>
    public async Task<bool> TryClaimAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(ClaimSql, new { queryUuid }, cancellationToken: cancellationToken)) is not null;
    }

    /// <summary>Takes up to <paramref name="limit"/> callbacks whose queries ended while nobody claimed them (a missed notification).</summary>
    public async Task<IReadOnlyList<Guid>> ClaimEndedAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<Guid>(new CommandDefinition(ClaimEndedSql, new { limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>Records one call (a repeated number is ignored: a job run twice records once).</summary>
    public async Task RecordAttemptAsync(Guid queryUuid, QueryCallbackAttempt attempt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            RecordAttemptSql, new { queryUuid, attempt.Attempt, attempt.StatusCode, attempt.Error, attempt.DurationMs }, cancellationToken: cancellationToken));
    }

    /// <summary>Ends the callback: <c>delivered</c> or <c>failed</c>.</summary>
    public async Task FinishAsync(Guid queryUuid, bool delivered, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            FinishSql, new { queryUuid, state = delivered ? "delivered" : "failed" }, cancellationToken: cancellationToken));
    }

    /// <summary>Every call made so far, first first.</summary>
    public async Task<IReadOnlyList<QueryCallbackAttempt>> AttemptsAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<QueryCallbackAttempt>(new CommandDefinition(AttemptsSql, new { queryUuid }, cancellationToken: cancellationToken))];
    }
}
