using Lightdash.Net.Backend.Queries.History;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// Hands held queries back to the queue: at once when a worker releases a slot they could use (the
/// oldest of the same project and user first), and from a sweep for holds no release woke (a fair-share
/// hold decided on another server's count, a slot of a dead instance released by the reaper).
/// </summary>
public sealed class HeldQueries(HeldQueriesStore store, QueryQueue queue, ILogger<HeldQueries> logger)
{
    // A released slot starts one query; one more covers a woken query that meets another limit.
    private const int WokenPerRelease = 2;

    private const int SweptAtOnce = 100;

    /// <summary>After a slot of <paramref name="projectUuid"/>'s query by <paramref name="userUuid"/> was released.</summary>
    public async Task WakeAfterReleaseAsync(Guid projectUuid, Guid? userUuid, CancellationToken cancellationToken) =>
        await EnqueueAsync(await store.TakeAfterReleaseAsync(projectUuid, userUuid, WokenPerRelease, cancellationToken), cancellationToken);

    /// <summary>Wakes queries held for longer than <paramref name="after"/>, or woken more than <paramref name="lost"/> ago and never claimed; returns how many.</summary>
    public async Task<int> SweepAsync(TimeSpan after, TimeSpan lost, CancellationToken cancellationToken)
    {
        var woken = await store.TakeLongHeldAsync(after, lost, SweptAtOnce, cancellationToken);
        await EnqueueAsync(woken, cancellationToken);
        return woken.Count;
    }

    private async Task EnqueueAsync(IReadOnlyList<Guid> woken, CancellationToken cancellationToken)
    {
        foreach (var queryUuid in woken)
        {
            logger.LogDebug("Query {QueryUuid} woken: a slot it waited for may be free", queryUuid);
            await queue.EnqueueAsync(queryUuid, cancellationToken);
        }
    }
}

/// <summary>The sweep of held queries, on instances that run workers: every <see cref="QueryExecutionOptions.HeldSweepInterval"/>.</summary>
public sealed class HeldQueriesSweeper(HeldQueries held, IOptions<QueryExecutionOptions> options, ILogger<HeldQueriesSweeper> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HeldSweepInterval;
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // A woken query's job is lost only with the instance that woke it: as long as a taken job's.
                await held.SweepAsync(interval, options.Value.JobInvisibilityTimeout, stoppingToken);
            }
            // Hangfire wraps a failed enqueue in its own exception: unhandled, it would stop the host.
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or Hangfire.BackgroundJobClientException)
            {
                logger.LogWarning(e, "The sweep of held queries failed; it runs again in {Interval}", interval);
            }
        }
    }
}
