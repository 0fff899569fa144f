using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Waiting for a query without polling: waitMs on reads, across instances, and submit-and-wait.</summary>
[Category(TestCategories.Integration)]
public class WaitingTests
{
    private BackendHost _host = null!;
    private BackendHost _secondInstance = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        // A second backend on the same metadata database: another instance of the same deployment.
        _secondInstance = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["MetadataDatabase:ConnectionString"] = _host.Metadata.ServiceConnectionString,
            ["Auth:BootstrapAdmin:Email"] = $"admin-{_host.ProjectUuid:N}@example.com",
            ["Auth:BootstrapAdmin:Token"] = _host.AdminToken,
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _secondInstance.DisposeAsync();
        await _host.DisposeAsync();
    }

    private async Task<(JsonElement Results, TimeSpan Elapsed, DateTime AnsweredAt)> WaitAsync(BackendHost host, Guid queryUuid, int waitMs)
    {
        var clock = Stopwatch.StartNew();
        using var response = await host.Client.GetAsync($"{_host.QueryPath()}/{queryUuid}?waitMs={waitMs}");
        var answeredAt = DateTime.UtcNow;
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return (body.GetProperty("results").Clone(), clock.Elapsed, answeredAt);
    }

    private async Task<TimeSpan> WakeLatencyAsync(Guid queryUuid, DateTime answeredAt)
    {
        var finishedAt = await _host.HistoryValueAsync<DateTime>(queryUuid, "finished_at");
        return answeredAt - finishedAt;
    }

    [Test]
    public async Task WaitMs_AnswersWhenTheQueryFinishes_NotWhenTheTimeIsUp()
    {
        var queryUuid = await _host.SubmitAsync($"select pg_sleep(1) as slept -- {Guid.NewGuid():N}");

        var (results, elapsed, answeredAt) = await WaitAsync(_host, queryUuid, 20_000);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(results.GetProperty("rows").GetArrayLength(), Is.EqualTo(1));
        var latency = await WakeLatencyAsync(queryUuid, answeredAt);
        TestContext.Out.WriteLine($"answered {latency.TotalMilliseconds:N0} ms after the query finished (waited {elapsed.TotalMilliseconds:N0} ms)");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "woken by the change, long before the 20 s wait ran out");
        Assert.That(latency, Is.LessThan(TimeSpan.FromSeconds(1)), "woken by the notification, not by a periodic re-check (every 5 s)");
    }

    [Test]
    public async Task WaitMs_OnAnotherInstance_IsWokenToo()
    {
        var queryUuid = await _host.SubmitAsync($"select pg_sleep(1) as slept -- {Guid.NewGuid():N}");

        var (results, _, answeredAt) = await WaitAsync(_secondInstance, queryUuid, 20_000);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(await WakeLatencyAsync(queryUuid, answeredAt), Is.LessThan(TimeSpan.FromSeconds(1)));
    }

    private async Task<string> StatusAsync(BackendHost host, Guid queryUuid)
    {
        using var response = await host.Client.GetAsync($"{_host.QueryPath()}/{queryUuid}");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("status").GetString()!;
    }

    [Test]
    public async Task Polls_OfARunningQuery_TurnCancelledOnEveryInstance_OnceCancelled()
    {
        // Polled on both instances while it runs (each keeps its status in memory for half a second),
        // then cancelled on the first: the first answers cancelled at once, the second once it hears so.
        var queryUuid = await _host.SubmitAsync($"select pg_sleep(20) as slept -- {Guid.NewGuid():N}");
        await Eventually.UntilAsync(async () => await StatusAsync(_host, queryUuid) == "executing", TimeSpan.FromSeconds(15), "the query runs");
        Assert.That(await StatusAsync(_secondInstance, queryUuid), Is.EqualTo("executing"));
        Assert.That(await StatusAsync(_host, queryUuid), Is.EqualTo("executing"));

        using var cancelled = await _host.Client.PostAsync($"{_host.QueryPath()}/{queryUuid}/cancel", null);
        Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That(await StatusAsync(_host, queryUuid), Is.EqualTo("cancelled"), "the instance that cancelled it never answers the old status");
        await Eventually.UntilAsync(async () => await StatusAsync(_secondInstance, queryUuid) == "cancelled", TimeSpan.FromSeconds(5), "the other instance hears of the cancel");
    }

    [Test]
    public async Task WaitMs_TimesOut_WithTheCurrentStatus()
    {
        var queryUuid = await _host.SubmitAsync($"select pg_sleep(5) as slept -- {Guid.NewGuid():N}");

        var (results, elapsed, _) = await WaitAsync(_host, queryUuid, 600);

        Assert.That(results.GetProperty("status").GetString(), Is.AnyOf("queued", "executing"));
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(550)));
        await _host.Client.PostAsync($"{_host.QueryPath()}/{queryUuid}/cancel", null);
    }

    [Test]
    public async Task WaitMs_OnAFinishedQuery_AnswersAtOnce()
    {
        var queryUuid = await _host.RunToReadyAsync($"select 1 as one -- {Guid.NewGuid():N}");

        var (results, elapsed, _) = await WaitAsync(_host, queryUuid, 30_000);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [TestCase(30_001)]
    [TestCase(-1)]
    public async Task WaitMs_OutOfRange_Returns400(int waitMs)
    {
        var queryUuid = await _host.RunToReadyAsync($"select 1 as one -- {Guid.NewGuid():N}");

        var (status, body) = await _host.GetPageAsync(queryUuid);
        using var response = await _host.Client.GetAsync($"{_host.QueryPath()}/{queryUuid}?waitMs={waitMs}");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task SubmitAndWait_FastQuery_CarriesTheFirstPage()
    {
        var results = await _host.ExecuteAsync(new { sql = $"select i from generate_series(1, 700) i order by i -- {Guid.NewGuid():N}", waitMs = 20_000 });

        var firstPage = results.GetProperty("firstPage");
        Assert.That(firstPage.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(firstPage.GetProperty("queryUuid").GetGuid(), Is.EqualTo(results.GetProperty("queryUuid").GetGuid()));
        Assert.That(firstPage.GetProperty("rows").GetArrayLength(), Is.EqualTo(500));
        Assert.That(firstPage.GetProperty("totalResults").GetInt64(), Is.EqualTo(700));
        Assert.That(firstPage.GetProperty("nextPage").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task SubmitAndWait_SlowQuery_AnswersWithItsStatusWhenTheTimeIsUp()
    {
        var results = await _host.ExecuteAsync(new { sql = $"select pg_sleep(5) as slept -- {Guid.NewGuid():N}", waitMs = 300 });

        var firstPage = results.GetProperty("firstPage");
        Assert.That(firstPage.GetProperty("status").GetString(), Is.AnyOf("queued", "executing"));
        Assert.That(firstPage.TryGetProperty("rows", out _), Is.False);
        await _host.Client.PostAsync($"{_host.QueryPath()}/{results.GetProperty("queryUuid").GetGuid()}/cancel", null);
    }

    [Test]
    public async Task TokenRevokedOnOneInstance_FailsOnTheOtherToo()
    {
        using var created = await _host.Client.PostAsJsonAsync("/api/v1/user/personal-access-tokens", new { description = "two instances" });
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
        using var elsewhere = _secondInstance.CreateClient(token.GetProperty("token").GetString());
        using (var before = await elsewhere.GetAsync("/api/v1/user"))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK), "known (and cached) on the second instance");
        }

        using var revoked = await _host.Client.DeleteAsync($"/api/v1/user/personal-access-tokens/{token.GetProperty("tokenUuid").GetGuid()}");
        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var after = await elsewhere.GetAsync("/api/v1/user");
            status = after.StatusCode;
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(2));

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), "the revocation notification reached the other instance");
        TestContext.Out.WriteLine($"revoked on the other instance after {clock.Elapsed.TotalMilliseconds:N0} ms");
    }
}
