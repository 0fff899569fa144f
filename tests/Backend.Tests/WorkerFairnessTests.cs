using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// One or two users cannot starve the others: with the default workers and limits, a third user's
/// query starts at once while two users each keep five long queries going.
/// </summary>
[Category(TestCategories.Integration)]
public class WorkerFairnessTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartAsync(new Dictionary<string, string?>
    {
        // The defaults of appsettings.json (the test host otherwise runs 4 workers).
        ["QueryExecution:WorkerCount"] = "8",
        ["Auth:MaxExecutingQueriesPerUser"] = "4",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    /// <summary>Whatever a test left running (a failed one too) stops, so that the next one starts with idle workers.</summary>
    [TearDown]
    public async Task CancelEverything()
    {
        var history = _host.Services.GetRequiredService<QueryHistoryStore>();
        var active = await _host.Metadata.ScalarAsync<Guid[]>(
            "select coalesce(array_agg(query_uuid), '{}') from query_history where status in ('pending', 'queued', 'executing')");
        foreach (var queryUuid in active)
        {
            // Through the model: the cancel is announced, and the worker running it stops it.
            await history.CancelAsync(queryUuid, CancellationToken.None);
        }
    }

    [Test]
    public async Task TwoUsersWithFiveLongQueriesEach_DoNotHoldBackAThirdUser()
    {
        var ann = await _host.CreateMemberClientAsync("ann@example.com", "developer");
        var ben = await _host.CreateMemberClientAsync("ben@example.com", "developer");
        var cat = await _host.CreateMemberClientAsync("cat@example.com", "developer");
        var busy = new List<(HttpClient Client, Guid Query)>();
        foreach (var (client, name) in new[] { (ann, "ann"), (ben, "ben") })
        {
            for (var i = 0; i < 5; i++)
            {
                busy.Add((client, await SubmitAsync(client, $"select pg_sleep(60) as {name}_{i}")));
            }
        }

        try
        {
            // Every worker a busy user may take is taken.
            await Eventually.UntilAsync(
                async () => await _host.Metadata.ScalarAsync<long>(
                    "select count(*) from query_history q join users u on u.user_uuid = q.created_by_user_uuid where u.email in ('ann@example.com', 'ben@example.com') and q.status = 'executing'") == 6,
                TimeSpan.FromSeconds(30),
                "the queries starting");

            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var response = await cat.PostAsJsonAsync($"{_host.QueryPath()}/sql", new { sql = "select 'cat' as who", waitMs = 10000 });
            var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
            var queueTime = await _host.HistoryValueAsync<double>(results.GetProperty("queryUuid").GetGuid(), "extract(epoch from processing_started_at - created_at)::float8");

            Assert.That(results.GetProperty("firstPage").GetProperty("status").GetString(), Is.EqualTo("ready"));
            Assert.That(queueTime, Is.LessThan(1.0), $"the third user's query waited {queueTime:F2} s for a worker");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
            Assert.That(
                await _host.Metadata.ScalarAsync<long>(
                    "select count(*) from query_history q join users u on u.user_uuid = q.created_by_user_uuid where u.email in ('ann@example.com', 'ben@example.com') and q.status = 'queued'"),
                Is.EqualTo(4),
                "the busy users' other queries wait their turn");
        }
        finally
        {
            foreach (var (client, query) in busy)
            {
                using var cancelled = await client.PostAsync($"{_host.QueryPath()}/{query}/cancel", null);
            }
        }
    }

    [Test]
    public async Task CancelledQuery_KeepsItsUsersSlot_UntilItsWarehouseStatementHasEnded()
    {
        // A statement that goes on for two seconds after a cancel, ignoring every cancel meanwhile,
        // as a long planning phase would.
        await _host.Warehouse.ExecuteAsync("""
            create function stubborn_sleep(seconds float8) returns int language plpgsql as $$
            declare
              deadline timestamptz := clock_timestamp() + make_interval(secs => seconds);
              cancelled boolean := false;
            begin
              while clock_timestamp() < deadline loop
                begin
                  perform pg_sleep(0.05);
                exception when query_canceled then
                  if not cancelled then
                    cancelled := true;
                    deadline := least(deadline, clock_timestamp() + interval '2 seconds');
                  end if;
                end;
              end loop;
              return 1;
            end $$;
            """);
        var dora = await _host.CreateMemberClientAsync("dora@example.com", "developer");
        var stubborn = await SubmitAsync(dora, "select stubborn_sleep(60) as stubborn");
        for (var i = 0; i < 3; i++)
        {
            // Dora's other three slots are taken by queries that stop at once when cancelled.
            await SubmitAsync(dora, $"select pg_sleep(60) as filler_{i}");
        }

        await Eventually.UntilAsync(async () => await _host.Metadata.ScalarAsync<long>(
            "select count(*) from query_history q join users u on u.user_uuid = q.created_by_user_uuid where u.email = 'dora@example.com' and status = 'executing'") == 4, TimeSpan.FromSeconds(30), "the queries starting");
        var pid = int.Parse(
            await Eventually.ValueAsync(
                async () => await _host.HistoryValueAsync<string>(stubborn, "coalesce(warehouse_query_id, '')") is { Length: > 0 } id ? id : null,
                TimeSpan.FromSeconds(30),
                "the statement's backend being recorded"),
            System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.UntilAsync(async () => await BackendActiveAsync(pid), TimeSpan.FromSeconds(30), "the queries starting");

        using (var cancelled = await dora.PostAsync($"{_host.QueryPath()}/{stubborn}/cancel", null))
        {
            Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var next = await SubmitAsync(dora, "select 'next' as next");
        var sawStatementRunAfterCancel = false;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var active = await BackendActiveAsync(pid);
            var nextStatus = await _host.HistoryValueAsync<string>(next, "status");
            if (active)
            {
                sawStatementRunAfterCancel = true;
                Assert.That(nextStatus, Is.EqualTo("queued"), "the cancelled statement still runs: its slot is still taken");
            }
            else if (nextStatus == "ready")
            {
                break;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the next query is {nextStatus}");
            await Task.Delay(50);
        }

        Assert.That(sawStatementRunAfterCancel, Is.True, "the statement went on after the cancel (else this test shows nothing)");
        Assert.That(await _host.HistoryValueAsync<string>(stubborn, "status"), Is.EqualTo("cancelled"));
        Assert.That(await _host.HistoryValueAsync<bool>(stubborn, "holds_slot"), Is.False);
        foreach (var query in await QueriesOfAsync("dora@example.com", "executing"))
        {
            using var cancelled = await dora.PostAsync($"{_host.QueryPath()}/{query}/cancel", null);
        }
    }

    private async Task<List<Guid>> QueriesOfAsync(string email, string status)
    {
        var list = await _host.Metadata.ScalarAsync<Guid[]>(
            "select coalesce(array_agg(query_uuid), '{}') from query_history q join users u on u.user_uuid = q.created_by_user_uuid where u.email = @e and q.status = @s",
            ("e", email), ("s", status));
        return [.. list];
    }

    private async Task<bool> BackendActiveAsync(int pid) =>
        await _host.Warehouse.ScalarAsync<long>("select count(*) from pg_stat_activity where pid = @pid and state = 'active'", ("pid", pid)) > 0;

    private async Task<Guid> SubmitAsync(HttpClient client, string sql)
    {
        using var response = await client.PostAsJsonAsync($"{_host.QueryPath()}/sql", new { sql });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("queryUuid").GetGuid();
    }
}
