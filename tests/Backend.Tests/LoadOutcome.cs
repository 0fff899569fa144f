using Lightdash.Net.TestSupport;
using Npgsql;

namespace Lightdash.Net.Backend.Tests;

/// <summary>What the metadata database recorded of a load test: every query's end, attempts, queue waits per user, and pick-up on the probed project.</summary>
public sealed record LoadOutcome(
    int Queries,
    IReadOnlyList<Guid> NotReady,
    IReadOnlyList<Guid> RunAgain,
    IReadOnlySet<Guid> ProjectQueries,
    IReadOnlyList<double> UserP95Waits,
    TimeSpan PickUpP95,
    int ProbeCount)
{
    /// <summary>Waits shorter than this are the queue's own pace (a held query looks again a second later), not unfairness.</summary>
    public const double WaitFloorSeconds = 1.0;

    /// <summary>The median of the users' p95 queue waits, in seconds.</summary>
    public double MedianUserP95Wait => Percentile([.. UserP95Waits], 50);

    /// <summary>
    /// Reads the outcome of the queries of <paramref name="loaded"/> (the users') and <paramref name="probed"/>
    /// (the probe's). A query that was waiting when an instance was killed (<paramref name="killedAt"/>, the
    /// metadata database's clock) may have been taken by that instance and wait until its lease runs out:
    /// that is recovery (checked apart: everything ends, only the killed instance's queries run again), not
    /// the queue's fairness or pick-up, and such waits are left out of both.
    /// </summary>
    public static async Task<LoadOutcome> ReadAsync(TestDatabase metadata, Guid loaded, Guid probed, DateTime killedAt)
    {
        var rows = new List<(Guid Query, Guid Project, Guid? User, string Status, int Attempt, double? Wait, bool BehindOwn, bool AcrossTheKill)>();
        await using (var connection = new NpgsqlConnection(metadata.ConnectionString))
        {
            await connection.OpenAsync();
            // Cache hits and joined queries never wait in the queue: only executed queries count. A query
            // submitted while another of its user's queries ran waited (in part) for its own user's limit; so
            // did one submitted while the killed instance held its user's query, until that ran again
            // (a run again query's start is its second run's: it counts as running from its submission).
            await using var command = new NpgsqlCommand(
                """
                select q.query_uuid, q.project_uuid, q.created_by_user_uuid, q.status, q.attempt,
                       extract(epoch from q.processing_started_at - q.created_at)::float8,
                       exists (select 1 from query_history o
                               where o.created_by_user_uuid = q.created_by_user_uuid and o.query_uuid <> q.query_uuid
                                 and (o.processing_started_at <= q.created_at or (o.attempt > 1 and o.created_at <= q.created_at))
                                 and coalesce(o.finished_at, 'infinity') > q.created_at),
                       q.created_at < @killed_at and q.processing_started_at > @killed_at
                from query_history q where not q.cache_hit and q.joined_query_uuid is null
                """,
                connection);
            command.Parameters.AddWithValue("killed_at", killedAt);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetString(3), reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.GetBoolean(6), !reader.IsDBNull(7) && reader.GetBoolean(7)));
            }
        }

        // Fairness is about users waiting behind others: waits behind the user's own running query are their limit.
        var firstAttempts = rows.Where(r => r.Project == loaded && r.Attempt == 1 && r.Wait is not null && !r.BehindOwn && !r.AcrossTheKill).ToList();
        var probes = rows.Where(r => r.Project == probed && r.Wait is not null && !r.AcrossTheKill).Select(r => r.Wait!.Value).ToList();
        return new LoadOutcome(
            rows.Count,
            [.. rows.Where(r => r.Status != "ready").Select(r => r.Query)],
            [.. rows.Where(r => r.Attempt > 1).Select(r => r.Query)],
            rows.Where(r => r.Project == loaded).Select(r => r.Query).ToHashSet(),
            [.. firstAttempts.GroupBy(r => r.User).Select(g => Percentile([.. g.Select(r => r.Wait!.Value)], 95)).Order()],
            TimeSpan.FromSeconds(Percentile(probes, 95)),
            probes.Count);
    }

    private static double Percentile(List<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        return values[(int)Math.Min(values.Count - 1, Math.Ceiling(percent / 100 * values.Count) - 1)];
    }
}
