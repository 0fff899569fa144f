using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Saved SQL charts: developers save them, every member runs them.</summary>
[Category(TestCategories.Integration)]
public class SqlChartTests
{
    private BackendHost _host = null!;
    private HttpClient _viewer = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        await _host.Warehouse.ExecuteAsync("create table sales (region text, amount integer); insert into sales values ('north', 5), ('south', 7), ('north', 1)");
        _viewer = await _host.CreateMemberClientAsync("chart-viewer@example.com", "viewer");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _viewer.Dispose();
        await _host.DisposeAsync();
    }

    private string Charts => $"/api/v1/projects/{_host.ProjectUuid}/sqlCharts";

    private async Task<(HttpStatusCode Status, JsonElement Body)> SaveAsync(HttpClient client, object chart)
    {
        using var response = await client.PostAsJsonAsync(Charts, chart);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Test]
    public async Task SavedChart_RunsForAViewer_ByIdOrSlug()
    {
        var (status, saved) = await SaveAsync(_host.Client, new { name = "Sales by Region!", sql = "select region, sum(amount) as total from sales group by region order by region" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), saved.ToString());
        var chart = saved.GetProperty("results");
        Assert.That(chart.GetProperty("slug").GetString(), Is.EqualTo("sales-by-region"));

        using var bySlug = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/sql-chart", new { slug = "sales-by-region", waitMs = 20_000 });
        var body = await bySlug.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(bySlug.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var rows = body.GetProperty("results").GetProperty("firstPage").GetProperty("rows").EnumerateArray().ToList();
        Assert.That(rows.Select(r => (RowValues.Raw(r, "region").GetString(), RowValues.Raw(r, "total").GetInt64())), Is.EqualTo(new[] { ("north", 6L), ("south", 7L) }));

        using var byId = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/sql-chart", new { savedSqlUuid = chart.GetProperty("savedSqlUuid").GetGuid(), limit = 1, waitMs = 20_000 });
        var limited = await byId.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(limited.GetProperty("results").GetProperty("firstPage").GetProperty("totalResults").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task Viewer_CannotSaveOrChangeCharts()
    {
        var (status, _) = await SaveAsync(_viewer, new { name = "Mine", sql = "select 1" });

        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Charts_CrudAndValidation()
    {
        var (_, saved) = await SaveAsync(_host.Client, new { name = "Counts", slug = "counts", sql = "select count(*) as n from sales" });
        var uuid = saved.GetProperty("results").GetProperty("savedSqlUuid").GetGuid();
        var (duplicate, _) = await SaveAsync(_host.Client, new { name = "Counts again", slug = "counts", sql = "select 1" });
        var (badSlug, _) = await SaveAsync(_host.Client, new { name = "Bad", slug = "Bad Slug!", sql = "select 1" });
        var (noSql, _) = await SaveAsync(_host.Client, new { name = "Empty" });
        using var updated = await _host.Client.PutAsJsonAsync($"{Charts}/{uuid}", new { name = "Counted", sql = "select count(*) as rows from sales" });
        var listed = await _viewer.GetFromJsonAsync<JsonElement>(Charts);
        using var deleted = await _host.Client.DeleteAsync($"{Charts}/{uuid}");
        using var gone = await _viewer.GetAsync($"{Charts}/counts");

        Assert.That(duplicate, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(badSlug, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(noSql, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(listed.GetProperty("results").EnumerateArray().Select(c => c.GetProperty("name").GetString()), Does.Contain("Counted"));
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task RunningAMissingChart_Returns404_AndNoReference_Returns400()
    {
        using var missing = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/sql-chart", new { slug = "nothing-here" });
        using var neither = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/sql-chart", new { limit = 5 });

        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(neither.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task StatementTimeoutSeconds_OfARun_StopsTheChartsStatement_AndZeroIs400()
    {
        var (status, saved) = await SaveAsync(_host.Client, new { name = $"Slow {Guid.NewGuid():N}", sql = "select g, pg_sleep(0.5)::text as s from generate_series(1, 10) g" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), saved.ToString());
        var chart = saved.GetProperty("results").GetProperty("savedSqlUuid").GetGuid();

        using var limited = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/sql-chart", new { savedSqlUuid = chart, statementTimeoutSeconds = 1, waitMs = 20_000 });
        using var zero = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/sql-chart", new { savedSqlUuid = chart, statementTimeoutSeconds = 0 });

        var page = (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("firstPage");
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("error"), page.ToString());
        Assert.That(page.GetProperty("error").GetString(), Does.Contain("time limit of 1 second"));
        Assert.That(zero.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await zero.Content.ReadAsStringAsync(), Does.Contain("statementTimeoutSeconds"));
    }
}
