using System.Net;
using System.Text.Json;
using Lightdash.Net.Client;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Priorities (recorded, shown, and honoured at pick-up) and completion callbacks (signed, retried,
/// readable on the query, never sent to a link-local address), on one worker so that the order of
/// pick-ups is the order of the queues.
/// </summary>
[Category(TestCategories.Integration)]
public class PriorityAndCallbackTests
{
    private BackendHost _host = null!;
    private WebhookReceiver _receiver = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["QueryExecution:WorkerCount"] = "1", ["Deliveries:WebhookAttempts"] = "3" });
        _receiver = WebhookReceiver.Start();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _receiver.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task Priority_IsRecorded_AndShownInTheStatusAndTheHistory()
    {
        var queryUuid = await SubmitAsync(new { sql = $"select 1 as n_{Guid.NewGuid():N}", priority = "high" });
        var page = await _host.WaitForFinalStateAsync(queryUuid);
        Assert.That(page.GetProperty("priority").GetString(), Is.EqualTo("high"));
        Assert.That(await _host.HistoryValueAsync<string>(queryUuid, "priority"), Is.EqualTo("high"));

        var (_, history) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"{_host.QueryPath()}/history?pageSize=100");
        var item = history.GetProperty("results").GetProperty("data").EnumerateArray().Single(q => q.GetProperty("queryUuid").GetGuid() == queryUuid);
        Assert.That(item.GetProperty("priority").GetString(), Is.EqualTo("high"));
    }

    [Test]
    public async Task AnUnknownPriority_Is400()
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/sql", new { sql = "select 1", priority = "urgent" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("priority"));
    }

    [Test]
    public async Task AHighPriorityQuery_IsPickedUpBeforeALowFloodQueuedEarlier()
    {
        var run = Guid.NewGuid().ToString("N");
        var blocker = await SubmitAsync(new { sql = $"select pg_sleep(1.5) as blocker_{run}" });
        await _host.WaitForStatusAsync(blocker, "executing");
        var lows = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            lows.Add(await SubmitAsync(new { sql = $"select {i} as low_{run}", priority = "low" }));
        }

        var high = await SubmitAsync(new { sql = $"select 1 as high_{run}", priority = "high" });
        foreach (var queryUuid in lows.Append(high))
        {
            Assert.That((await _host.WaitForFinalStateAsync(queryUuid)).GetProperty("status").GetString(), Is.EqualTo("ready"));
        }

        var highStarted = await _host.HistoryValueAsync<DateTime>(high, "processing_started_at");
        foreach (var low in lows)
        {
            Assert.That(await _host.HistoryValueAsync<DateTime>(low, "processing_started_at"), Is.GreaterThan(highStarted), "the one worker took the high query first");
        }
    }

    [Test]
    public async Task ACallback_IsSignedAndDelivered_AndItsCallIsReadableOnTheQuery()
    {
        var path = $"/done-{Guid.NewGuid():N}";
        const string Secret = "callback-secret-1";
        var queryUuid = await SubmitAsync(new { sql = $"select generate_series(1, 3) as n_{Guid.NewGuid():N}", callback = new { url = _receiver.Url(path), secret = Secret } });

        var call = await Eventually.ValueAsync(() => Task.FromResult(_receiver.Calls(path).FirstOrDefault()), TimeSpan.FromSeconds(30), "the callback's call");
        Assert.That(CallbackSignature.Verify(Secret, call.Headers[CallbackSignature.TimestampHeader], call.Headers[CallbackSignature.SignatureHeader], call.Body), Is.True);
        Assert.That(CallbackSignature.Verify("another-secret", call.Headers[CallbackSignature.TimestampHeader], call.Headers[CallbackSignature.SignatureHeader], call.Body), Is.False);
        using var payload = JsonDocument.Parse(call.Body);
        Assert.That(payload.RootElement.GetProperty("queryUuid").GetGuid(), Is.EqualTo(queryUuid));
        Assert.That(payload.RootElement.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(payload.RootElement.GetProperty("totalRows").GetInt64(), Is.EqualTo(3));
        Assert.That(payload.RootElement.GetProperty("links").GetProperty("results").GetString(), Is.EqualTo($"{_host.QueryPath()}/{queryUuid}"));

        var callback = await CallbackInStateAsync(queryUuid, "delivered", TimeSpan.FromSeconds(10));
        var attempt = callback.GetProperty("attempts").EnumerateArray().Single();
        Assert.That(attempt.GetProperty("statusCode").GetInt32(), Is.EqualTo(200));
        Assert.That(callback.GetProperty("url").GetString(), Is.EqualTo(_receiver.Url(path)));
    }

    [Test]
    public async Task AFailingReceiver_IsTriedAgain_ThenTheCallbackFails()
    {
        var path = $"/down-{Guid.NewGuid():N}";
        _receiver.FailFirst(path, 100);
        var queryUuid = await SubmitAsync(new { sql = $"select 1 as n_{Guid.NewGuid():N}", callback = new { url = _receiver.Url(path) } });

        var callback = await CallbackInStateAsync(queryUuid, "failed", TimeSpan.FromSeconds(30));
        var attempts = callback.GetProperty("attempts").EnumerateArray().ToList();
        Assert.That(attempts.Select(a => a.GetProperty("attempt").GetInt32()), Is.EqualTo(new[] { 1, 2, 3 }), "as many tries as Deliveries:WebhookAttempts");
        Assert.That(attempts.Select(a => a.GetProperty("statusCode").GetInt32()), Is.All.EqualTo(503));
        Assert.That(_receiver.Calls(path), Has.Count.EqualTo(3), "the receiver saw every try");
    }

    [Test]
    public async Task ALinkLocalCallback_IsNeverCalled()
    {
        var queryUuid = await SubmitAsync(new { sql = $"select 1 as n_{Guid.NewGuid():N}", callback = new { url = "http://169.254.169.254/latest/meta-data" } });
        var callback = await CallbackInStateAsync(queryUuid, "failed", TimeSpan.FromSeconds(30));
        foreach (var attempt in callback.GetProperty("attempts").EnumerateArray())
        {
            Assert.That(attempt.TryGetProperty("statusCode", out var code) && code.ValueKind == JsonValueKind.Number, Is.False, "no call was made");
            Assert.That(attempt.GetProperty("error").GetString(), Does.Contain("link-local"));
        }
    }

    [Test]
    public async Task ACacheHit_SendsItsCallbackToo()
    {
        var sql = $"select 7 as cached_{Guid.NewGuid():N}";
        await _host.RunToReadyAsync(sql);
        var path = $"/hit-{Guid.NewGuid():N}";
        var answer = await _host.ExecuteAsync(new { sql, callback = new { url = _receiver.Url(path) } });
        Assert.That(answer.GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.True);
        var call = await Eventually.ValueAsync(() => Task.FromResult(_receiver.Calls(path).FirstOrDefault()), TimeSpan.FromSeconds(30), "the cache hit's callback");
        using var payload = JsonDocument.Parse(call.Body);
        Assert.That(payload.RootElement.GetProperty("status").GetString(), Is.EqualTo("ready"));
    }

    [TestCase("""{"url":"ftp://example.com/x"}""", "callback.url")]
    [TestCase("""{"url":"/relative"}""", "callback.url")]
    [TestCase("""{"url":"http://user:pw@example.com/"}""", "callback.url")]
    [TestCase("""{"url":"https://example.com/","secret":"short"}""", "callback.secret")]
    public async Task ABadCallback_Is400NamingTheField(string callback, string field)
    {
        var body = JsonDocument.Parse($$"""{"sql":"select 1","callback":{{callback}}}""").RootElement;
        var (status, answer) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/sql", body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(answer.GetProperty("error").GetProperty("message").GetString(), Does.Contain(field));
    }

    [Test]
    public async Task AQueryWithoutCallback_Has404OnItsCallbackRoute()
    {
        var queryUuid = await _host.RunToReadyAsync($"select 1 as n_{Guid.NewGuid():N}");
        var (status, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"{_host.QueryPath()}/{queryUuid}/callback");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private async Task<Guid> SubmitAsync(object body) =>
        (await _host.ExecuteAsync(body)).GetProperty("queryUuid").GetGuid();

    private async Task<JsonElement> CallbackInStateAsync(Guid queryUuid, string state, TimeSpan limit)
    {
        JsonElement? last = null;
        await Eventually.UntilAsync(
            async () => (last = await CallbackStateAsync(queryUuid)) is { } c && c.GetProperty("state").GetString() == state, limit, $"the callback {state}");
        return last!.Value;
    }

    private async Task<JsonElement?> CallbackStateAsync(Guid queryUuid)
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"{_host.QueryPath()}/{queryUuid}/callback");
        return status == HttpStatusCode.OK ? body.GetProperty("results").Clone() : null;
    }
}
