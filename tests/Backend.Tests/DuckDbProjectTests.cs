using System.Net;
using Lightdash.Net.TestSupport;
using static Lightdash.Net.Backend.Tests.RowValues;

namespace Lightdash.Net.Backend.Tests;

/// <summary>A project on the embedded DuckDB warehouse goes through the same path: history, S3, pages, cancel.</summary>
[Category(TestCategories.Integration)]
public class DuckDbProjectTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        await TestDuckDb.ExecuteAsync(
            _host.DuckDbFile, "create table items as select range as id, 'item ' || range as name, (range * 1.25)::decimal(10,2) as price from range(1, 2001)");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task Query_OnDuckDb_PagesLikeAnyOther()
    {
        var queryUuid = await _host.RunToReadyAsync("select * from items order by id", projectUuid: _host.DuckDbProjectUuid);

        var (status, body) = await _host.GetPageAsync(queryUuid, page: 4, pageSize: 500, projectUuid: _host.DuckDbProjectUuid);
        var results = body.GetProperty("results");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(results.GetProperty("totalResults").GetInt64(), Is.EqualTo(2000));
        Assert.That(Longs(results, "id"), Is.EqualTo(Enumerable.Range(1501, 500).Select(i => (long)i)));
        Assert.That(Raw(results.GetProperty("rows")[0], "price").GetRawText(), Is.EqualTo("1876.25"));
        Assert.That(results.GetProperty("columns").GetProperty("price").GetProperty("type").GetString(), Is.EqualTo("number"));
    }

    [Test]
    public async Task DuckDbQuerySlowToItsFirstRow_DoesNotHoldBackOtherResults()
    {
        // An aggregation computes everything before its one row: seconds of DuckDB work, done while the
        // query starts (off the streaming threads, of which a 2-core machine has one).
        const string slowSql = "select sum(hash(range)) as s from range(3000000000)";
        var slow = await _host.SubmitAsync(slowSql, projectUuid: _host.DuckDbProjectUuid);
        await _host.WaitForStatusAsync(slow, "executing", projectUuid: _host.DuckDbProjectUuid);

        var quick = await _host.RunToReadyAsync("select i from generate_series(1, 5000) i");
        var (_, slowPage) = await _host.GetPageAsync(slow, projectUuid: _host.DuckDbProjectUuid);

        Assert.That(slowPage.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("executing"), "the quick query was ready while the slow one still computed");
        var (_, quickPage) = await _host.GetPageAsync(quick, pageSize: 5000);
        Assert.That(quickPage.GetProperty("results").GetProperty("totalResults").GetInt64(), Is.EqualTo(5000));
        await _host.Client.PostAsync($"{_host.QueryPath(_host.DuckDbProjectUuid)}/{slow}/cancel", null);
    }

    [Test]
    public async Task BadSql_OnDuckDb_EndsInErrorWithDuckDbsMessage()
    {
        var queryUuid = await _host.SubmitAsync("select * from missing_items", projectUuid: _host.DuckDbProjectUuid);

        var results = await _host.WaitForFinalStateAsync(queryUuid, projectUuid: _host.DuckDbProjectUuid);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(results.GetProperty("error").GetString(), Does.Contain("missing_items"));
    }

    [Test]
    public async Task Query_OnDuckDb_WithoutS3_PagesAreReFetched()
    {
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["ResultsStorage:Enabled"] = "false" });
        await TestDuckDb.ExecuteAsync(host.DuckDbFile, "create table t as select range as n from range(10)");
        var queryUuid = await host.RunToReadyAsync("select n from t order by n", projectUuid: host.DuckDbProjectUuid);

        var (_, body) = await host.GetPageAsync(queryUuid, page: 2, pageSize: 4, projectUuid: host.DuckDbProjectUuid);
        var results = body.GetProperty("results");

        Assert.That(Longs(results, "n"), Is.EqualTo(new long[] { 4, 5, 6, 7 }));
        Assert.That(results.GetProperty("metadata").GetProperty("source").GetString(), Is.EqualTo("warehouse"));
    }
}
