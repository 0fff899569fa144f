using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>
/// Queries a limit holds back. They stay <c>queued</c> with no job in the queue (no worker polls for
/// them): a worker that releases a slot wakes the oldest held queries (by priority, then age) of the same
/// project and user at once, and a sweep wakes any held for longer than a moment (a hold decided on another server's
/// count). Waking is exclusive: each hold is handed to the queue once.
/// </summary>
public sealed class HeldQueriesStore(NpgsqlDataSource dataSource)
{
    private static readonly string WakeSql = Take("held_since IS NOT NULL AND (project_uuid = @projectUuid OR created_by_user_uuid = @userUuid)");

    private static readonly string SweepSql = Take("held_since < now() - @after OR woken_at < now() - @lost");

    private const string AnyHeldSql = "SELECT EXISTS (SELECT 1 FROM query_history WHERE held_since IS NOT NULL AND status = 'queued')";

    /// <summary>Takes (oldest first) up to <paramref name="count"/> held queries of the project or the user whose slot was released.</summary>
    public async Task<IReadOnlyList<Guid>> TakeAfterReleaseAsync(Guid projectUuid, Guid? userUuid, int count, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Nearly always nothing is held: one indexed look instead of a transaction with two locks. A hold
        // being decided at this very moment is not seen here; the sweep wakes it.
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(AnyHeldSql, cancellationToken: cancellationToken)))
        {
            return [];
        }

        // The same locks, in the same order, as the claim that decides a hold: once queries are held, a hold
        // being decided while a slot is released is committed before the wake looks, so it is not missed.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (userUuid is { } user)
        {
            await connection.ExecuteAsync(new CommandDefinition(QueryHistoryStore.UserLockSql, new { key = user.ToString() }, transaction, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(QueryHistoryStore.ProjectLockSql, new { key = projectUuid.ToString() }, transaction, cancellationToken: cancellationToken));
        var woken = (await connection.QueryAsync<Guid>(new CommandDefinition(WakeSql, new { projectUuid, userUuid, count }, transaction, cancellationToken: cancellationToken))).ToList();
        await transaction.CommitAsync(cancellationToken);
        return woken;
    }

    /// <summary>
    /// Takes (oldest first) up to <paramref name="count"/> queries held for longer than <paramref name="after"/>,
    /// or woken longer than <paramref name="lost"/> ago and still not claimed (the waking instance may have died
    /// before it enqueued the job; a second job of a query that is claimed meanwhile finds nothing to do).
    /// </summary>
    public async Task<IReadOnlyList<Guid>> TakeLongHeldAsync(TimeSpan after, TimeSpan lost, int count, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<Guid>(new CommandDefinition(SweepSql, new { after, lost, count }, cancellationToken: cancellationToken))];
    }

    // Hands the queued queries that match to the queue (clearing the hold, stamping the wake), high priority
    // first, then the oldest; rows another instance is taking are skipped, so each hold is handed over once.
    private static string Take(string which) => $"""
        UPDATE query_history SET held_since = NULL, woken_at = now()
        WHERE query_uuid IN (
            SELECT query_uuid FROM query_history
            WHERE status = 'queued' AND ({which})
            ORDER BY (priority = 'high') DESC, (priority = 'low'), created_at LIMIT @count FOR UPDATE SKIP LOCKED)
        RETURNING query_uuid
        """;
}
