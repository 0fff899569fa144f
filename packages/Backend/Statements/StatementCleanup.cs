using Hangfire;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.History;
using Microsoft.Extensions.Options;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Statements;

/// <summary>
/// Ends statements past their time or whose session closed or expired: each is cancelled if it runs,
/// its history row and results are deleted (a file another query shares is kept), and its handle answers
/// 410 for <see cref="StatementsOptions.EndedHandleRetention"/>. Runs as a Hangfire recurring job (one
/// instance at a time) and at once when a session is closed.
/// </summary>
public sealed class StatementCleanup(
    StatementStore statements,
    StatementSessionStore sessions,
    QueryHistoryStore history,
    AsyncQueryService queries,
    IOptions<StatementsOptions> options,
    ExclusiveRuns exclusive,
    ILogger<StatementCleanup> logger)
{
    /// <summary>The recurring job's id in Hangfire.</summary>
    public const string RecurringJobId = "statements-cleanup";

    private const int Batch = 200;

    /// <summary>Runs one sweep.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("End expired statements and sessions")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var run = await exclusive.TryStartAsync(RecurringJobId, cancellationToken);
        if (run is null)
        {
            return;
        }

        var closed = await sessions.CloseExpiredAsync(cancellationToken);
        var ended = await EndDueAsync(cancellationToken);
        var retention = options.Value.EndedHandleRetention;
        var forgotten = await statements.ForgetEndedAsync(retention, cancellationToken) + await sessions.ForgetClosedAsync(retention, cancellationToken);
        if (closed + ended + forgotten > 0)
        {
            logger.LogInformation("Statements sweep: {Closed} sessions expired, {Ended} statements ended, {Forgotten} old handles and sessions forgotten", closed, ended, forgotten);
        }
    }

    /// <summary>Ends every statement that is due; how many this call ended.</summary>
    public async Task<int> EndDueAsync(CancellationToken cancellationToken)
    {
        var ended = 0;
        IReadOnlyList<(StatementRecord Statement, string Reason)> due;
        do
        {
            due = await statements.FindDueAsync(Batch, cancellationToken);
            foreach (var (statement, reason) in due)
            {
                // Claimed first: a sweep on another instance skips it.
                if (!await statements.EndAsync(statement.StatementHandle, reason, cancellationToken))
                {
                    continue;
                }

                if (await history.FindAsync(statement.StatementHandle, cancellationToken) is { } query)
                {
                    await queries.RemoveAsync(query, cancellationToken);
                }

                logger.LogInformation("Statement {QueryUuid} ended ({Reason})", statement.StatementHandle, reason);
                ended++;
            }
        }
        while (due.Count == Batch);

        return ended;
    }
}
