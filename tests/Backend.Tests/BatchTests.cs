using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Several queries at once: one id each, and their states collected in one call.</summary>
[Category(TestCategories.Integration)]
public class BatchTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostBatchAsync(object body)
    {
        using var response = await _host.Client.PostAsJsonAsync($"{_host.QueryPath()}/batch", body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetBatchAsync(string query)
    {
        using var response = await _host.Client.GetAsync($"{_host.QueryPath()}/batch{query}");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Test]
    public async Task Batch_SubmitsEachQuery_AndCollectsTheirStates()
    {
        var tag = Guid.NewGuid().ToString("N");
        var (status, body) = await PostBatchAsync(new
        {
            queries = new object[]
            {
                new { sql = $"select 1 as n -- {tag}" },
                new { sql = $"select i from generate_series(1, 3) i -- {tag}" },
                new { sql = $"select * from nothing_here -- {tag}" },
            },
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var ids = body.GetProperty("results").GetProperty("queries").EnumerateArray().Select(q => q.GetProperty("queryUuid").GetGuid()).ToList();

        var (stateStatus, states) = await GetBatchAsync($"?ids={string.Join(',', ids)}&waitMs=20000");
        var queries = states.GetProperty("results").GetProperty("queries").EnumerateArray().ToList();

        Assert.That(ids.Distinct().Count(), Is.EqualTo(3));
        Assert.That(stateStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(queries.Select(q => q.GetProperty("queryUuid").GetGuid()), Is.EqualTo(ids));
        Assert.That(queries.Select(q => q.GetProperty("status").GetString()), Is.EqualTo(new[] { "ready", "ready", "error" }));
        Assert.That(queries[1].GetProperty("totalResults").GetInt64(), Is.EqualTo(3));
        Assert.That(queries[2].GetProperty("error").GetString(), Does.Contain("nothing_here"));
    }

    [Test]
    public async Task Batch_WithOneInvalidQuery_SubmitsNone()
    {
        var before = await _host.Metadata.ScalarAsync<long>("select count(*) from query_history");

        var (status, body) = await PostBatchAsync(new { queries = new object[] { new { sql = "select 1" }, new { sql = "" } } });

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("queries[1]"));
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from query_history"), Is.EqualTo(before));
    }

    [TestCase("{\"queries\":[]}")]
    [TestCase("{}")]
    public async Task Batch_Empty_Returns400(string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _host.Client.PostAsync($"{_host.QueryPath()}/batch", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task BatchStates_IdThatIsNotAUuid_Returns400() =>
        Assert.That((await GetBatchAsync("?ids=not-a-uuid")).Status, Is.EqualTo(HttpStatusCode.BadRequest));

    [Test]
    public async Task BatchStates_UnknownId_Returns404() =>
        Assert.That((await GetBatchAsync($"?ids={Guid.NewGuid()}")).Status, Is.EqualTo(HttpStatusCode.NotFound));

    [Test]
    public async Task BatchStates_NoIds_Returns400() =>
        Assert.That((await GetBatchAsync("")).Status, Is.EqualTo(HttpStatusCode.BadRequest));
}
