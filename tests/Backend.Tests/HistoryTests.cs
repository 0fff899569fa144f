using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The project's query history: newest first, filtered by status, paged.</summary>
[Category(TestCategories.Integration)]
public class HistoryTests
{
    private BackendHost _host = null!;
    private readonly List<Guid> _ready = [];
    private Guid _failed;

    private readonly System.Diagnostics.Stopwatch _sinceStart = new();

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        _sinceStart.Start();
        for (var i = 1; i <= 3; i++)
        {
            _ready.Add(await _host.RunToReadyAsync($"select {i} as n"));
        }

        _failed = await _host.SubmitAsync("select * from nowhere");
        await _host.WaitForFinalStateAsync(_failed);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> HistoryAsync(string query = "", Guid? projectUuid = null)
    {
        using var response = await _host.Client.GetAsync($"{_host.QueryPath(projectUuid)}/history{query}");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Test]
    public async Task History_ListsQueriesNewestFirstWithTheirOutcome()
    {
        var (status, body) = await HistoryAsync();
        var data = body.GetProperty("results").GetProperty("data").EnumerateArray().ToList();

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(data.Select(d => d.GetProperty("queryUuid").GetGuid()), Is.EqualTo(new[] { _failed, _ready[2], _ready[1], _ready[0] }));
        Assert.That(data[0].GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(data[0].GetProperty("error").GetString(), Does.Contain("nowhere"));
        Assert.That(data[1].GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(data[1].GetProperty("totalRowCount").GetInt64(), Is.EqualTo(1));
        Assert.That(data[1].GetProperty("sql").GetString(), Is.EqualTo("select 3 as n"));
        Assert.That(data[1].GetProperty("totalExecutionMs").GetInt64(), Is.InRange(0, _sinceStart.ElapsedMilliseconds), "a real duration, within the fixture's life");
        Assert.That(body.GetProperty("results").GetProperty("pagination").GetProperty("totalResults").GetInt64(), Is.EqualTo(4));
    }

    [Test]
    public async Task History_FilteredByStatus()
    {
        var (_, body) = await HistoryAsync("?status=error");
        var data = body.GetProperty("results").GetProperty("data").EnumerateArray().ToList();

        Assert.That(data.Select(d => d.GetProperty("queryUuid").GetGuid()), Is.EqualTo(new[] { _failed }));
        var (_, both) = await HistoryAsync("?status=error&status=ready");
        Assert.That(both.GetProperty("results").GetProperty("data").GetArrayLength(), Is.EqualTo(4));
    }

    [Test]
    public async Task History_PagedWithTotals()
    {
        var (_, body) = await HistoryAsync("?page=2&pageSize=3");
        var results = body.GetProperty("results");

        Assert.That(results.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("queryUuid").GetGuid()), Is.EqualTo(new[] { _ready[0] }));
        Assert.That(results.GetProperty("pagination").GetProperty("totalPageCount").GetInt32(), Is.EqualTo(2));
        Assert.That(results.GetProperty("pagination").GetProperty("totalResults").GetInt64(), Is.EqualTo(4));
    }

    [Test]
    public async Task History_OfAnotherProject_HoldsNoneOfTheseQueries()
    {
        var (_, body) = await HistoryAsync(projectUuid: _host.OtherProjectUuid);

        Assert.That(body.GetProperty("results").GetProperty("data").GetArrayLength(), Is.Zero);
    }

    [TestCase("?pageSize=101", "pageSize must be between 1 and 100")]
    [TestCase("?page=0", "page must be 1 or more")]
    [TestCase("?status=done", "status \"done\" is not one of")]
    public async Task History_BadParameters_Return400(string query, string message)
    {
        var (status, body) = await HistoryAsync(query);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(message));
    }

    [Test]
    public async Task History_UnknownProject_Returns404() =>
        Assert.That((await HistoryAsync(projectUuid: Guid.NewGuid())).Status, Is.EqualTo(HttpStatusCode.NotFound));
}
