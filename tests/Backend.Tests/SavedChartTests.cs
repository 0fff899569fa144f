using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Saved charts: versioned metric queries that admins save and every member runs.</summary>
[Category(TestCategories.Integration)]
public class SavedChartTests
{
    private BackendHost _host = null!;
    private HttpClient _viewer = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartDemoShopAsync();
        _viewer = await _host.CreateMemberClientAsync("saved-viewer@example.com", "viewer");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _viewer.Dispose();
        await _host.DisposeAsync();
    }

    private string Saved => $"/api/v1/projects/{_host.ProjectUuid}/saved";

    private static object RevenueBy(string dimension) => new
    {
        exploreName = "orders",
        dimensions = new[] { dimension },
        metrics = new[] { "orders_total_revenue" },
        sorts = new[] { new { fieldId = dimension, descending = false } },
    };

    private async Task<JsonElement> RunChartAsync(Guid chartUuid, Guid? versionUuid = null)
    {
        using var response = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/chart", new { chartUuid, versionUuid, waitMs = 20_000 });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("firstPage");
    }

    [Test]
    public async Task SavedChart_IsVersioned_AndRunsForViewers()
    {
        using var created = await _host.Client.PostAsJsonAsync(Saved, new { name = "Revenue by status", metricQuery = RevenueBy("orders_status"), chartConfig = new { type = "bar" } });
        var chart = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
        var chartUuid = chart.GetProperty("savedChartUuid").GetGuid();
        var firstVersion = chart.GetProperty("versionUuid").GetGuid();
        using var changed = await _host.Client.PostAsJsonAsync($"{Saved}/{chartUuid}/versions", new { metricQuery = RevenueBy("orders_is_gift") });
        var newest = (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");

        var latestPage = await RunChartAsync(chartUuid);
        var firstPage = await RunChartAsync(chartUuid, firstVersion);

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(chart.GetProperty("chartConfig").GetProperty("type").GetString(), Is.EqualTo("bar"));
        Assert.That(newest.GetProperty("versions").GetArrayLength(), Is.EqualTo(2));
        Assert.That(latestPage.GetProperty("rows")[0].TryGetProperty("orders_is_gift", out _), Is.True, "the newest version runs by default");
        Assert.That(firstPage.GetProperty("rows").EnumerateArray().Select(r => RowValues.Raw(r, "orders_status").GetString()), Is.EqualTo(new[] { "placed", "shipped" }));
        var listed = await _viewer.GetFromJsonAsync<JsonElement>(Saved);
        Assert.That(listed.GetProperty("results").EnumerateArray().Select(c => c.GetProperty("name").GetString()), Does.Contain("Revenue by status"));
    }

    [Test]
    public async Task Viewer_CannotSaveCharts()
    {
        using var response = await _viewer.PostAsJsonAsync(Saved, new { name = "Mine", metricQuery = RevenueBy("orders_status") });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Chart_WithAMetricQueryThatDoesNotCompile_Returns400()
    {
        using var response = await _host.Client.PostAsJsonAsync(Saved, new { name = "Broken", metricQuery = RevenueBy("orders_nothing") });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("orders_nothing"));
    }

    [Test]
    public async Task DeletedChart_Returns404()
    {
        using var created = await _host.Client.PostAsJsonAsync(Saved, new { name = "Temporary", metricQuery = RevenueBy("orders_status") });
        var chartUuid = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("savedChartUuid").GetGuid();

        using var deleted = await _host.Client.DeleteAsync($"{Saved}/{chartUuid}");
        using var run = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/chart", new { chartUuid });

        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private async Task<(Guid Dashboard, Guid Tile, Guid Chart)> CreateDashboardAsync()
    {
        using var created = await _host.Client.PostAsJsonAsync(Saved, new { name = $"Status {Guid.NewGuid():N}", metricQuery = RevenueBy("orders_status") });
        var chartUuid = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("savedChartUuid").GetGuid();
        using var dashboard = await _host.Client.PostAsJsonAsync($"/api/v1/projects/{_host.ProjectUuid}/dashboards", new
        {
            name = "Shop",
            tiles = new[] { new { savedChartUuid = chartUuid } },
            filters = new { dimensions = new[] { new { id = "f1", target = new { fieldId = "orders_status" }, @operator = "equals", values = new[] { "shipped" } } } },
        });
        var body = (await dashboard.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
        Assert.That(dashboard.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return (body.GetProperty("dashboardUuid").GetGuid(), body.GetProperty("tiles")[0].GetProperty("tileUuid").GetGuid(), chartUuid);
    }

    private async Task<(HttpStatusCode Status, JsonElement Results)> RunTileAsync(object request)
    {
        using var response = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/dashboard-chart", request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, response.IsSuccessStatusCode ? body.GetProperty("results") : body);
    }

    [Test]
    public async Task DashboardChart_AppliesTheDashboardsFilters()
    {
        var (dashboard, tile, chart) = await CreateDashboardAsync();

        var (status, results) = await RunTileAsync(new { dashboardUuid = dashboard, tileUuid = tile, chartUuid = chart, waitMs = 20_000 });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), results.ToString());
        Assert.That(results.GetProperty("appliedDashboardFilters").GetArrayLength(), Is.EqualTo(1));
        var rows = results.GetProperty("firstPage").GetProperty("rows").EnumerateArray().ToList();
        Assert.That(rows.Select(r => RowValues.Raw(r, "orders_status").GetString()), Is.EqualTo(new[] { "shipped" }));
    }

    [Test]
    public async Task DashboardChart_TileTargets_RedirectOrTurnOffAFilter()
    {
        var (dashboard, tile, chart) = await CreateDashboardAsync();
        var off = new { dimensions = new object[] { new Dictionary<string, object>
        {
            ["target"] = new { fieldId = "orders_status" }, ["operator"] = "equals", ["values"] = new[] { "shipped" },
            ["tileTargets"] = new Dictionary<string, object> { [tile.ToString()] = false },
        } } };
        var redirected = new { dimensions = new object[] { new Dictionary<string, object>
        {
            ["target"] = new { fieldId = "other_explore_status" }, ["operator"] = "equals", ["values"] = new[] { "placed" },
            ["tileTargets"] = new Dictionary<string, object> { [tile.ToString()] = new { fieldId = "orders_status" } },
        } } };

        var (_, withOff) = await RunTileAsync(new { dashboardUuid = dashboard, tileUuid = tile, chartUuid = chart, dashboardFilters = off, waitMs = 20_000 });
        var (_, withRedirect) = await RunTileAsync(new { dashboardUuid = dashboard, tileUuid = tile, chartUuid = chart, dashboardFilters = redirected, waitMs = 20_000 });

        Assert.That(withOff.GetProperty("appliedDashboardFilters").GetArrayLength(), Is.Zero);
        Assert.That(withOff.GetProperty("firstPage").GetProperty("rows").GetArrayLength(), Is.EqualTo(2));
        Assert.That(withRedirect.GetProperty("appliedDashboardFilters")[0].GetProperty("target").GetProperty("fieldId").GetString(), Is.EqualTo("orders_status"));
        Assert.That(withRedirect.GetProperty("firstPage").GetProperty("rows").EnumerateArray().Select(r => RowValues.Raw(r, "orders_status").GetString()), Is.EqualTo(new[] { "placed" }));
    }

    [Test]
    public async Task DashboardChart_UnknownTile_Returns404_AndViewersCannotCreateDashboards()
    {
        var (dashboard, _, chart) = await CreateDashboardAsync();

        var (status, _) = await RunTileAsync(new { dashboardUuid = dashboard, tileUuid = Guid.NewGuid(), chartUuid = chart });
        using var create = await _viewer.PostAsJsonAsync($"/api/v1/projects/{_host.ProjectUuid}/dashboards", new { name = "Mine" });

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task DashboardSqlChart_FiltersTheSqlsColumnsByName()
    {
        using var saved = await _host.Client.PostAsJsonAsync($"/api/v1/projects/{_host.ProjectUuid}/sqlCharts", new
        {
            name = $"Orders {Guid.NewGuid():N}",
            sql = "select order_id, status, amount from orders;",
        });
        var sqlChart = (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("savedSqlUuid").GetGuid();
        using var created = await _host.Client.PostAsJsonAsync($"/api/v1/projects/{_host.ProjectUuid}/dashboards", new
        {
            name = "SQL board",
            tiles = new[] { new { savedSqlUuid = sqlChart } },
            filters = new
            {
                dimensions = new object[]
                {
                    new { target = new { fieldId = "status" }, @operator = "equals", values = new[] { "shipped" } },
                    new { target = new { fieldId = "orders_customer_country" }, @operator = "equals", values = new[] { "GB" } },
                },
            },
        });
        var dashboard = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");

        using var response = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/dashboard-sql-chart", new
        {
            savedSqlUuid = sqlChart,
            dashboardUuid = dashboard.GetProperty("dashboardUuid").GetGuid(),
            tileUuid = dashboard.GetProperty("tiles")[0].GetProperty("tileUuid").GetGuid(),
            dashboardSorts = new[] { new { fieldId = "amount", descending = true } },
            waitMs = 20_000,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var results = body.GetProperty("results");
        Assert.That(results.GetProperty("appliedDashboardFilters").GetArrayLength(), Is.EqualTo(1), "only the rule on an existing column");
        Assert.That(results.GetProperty("firstPage").GetProperty("rows").EnumerateArray().Select(r => RowValues.Raw(r, "order_id").GetInt32()), Is.EqualTo(new[] { 3, 2 }));
        Assert.That(
            await _host.Metadata.ScalarAsync<string>("select columns::text from saved_sql where saved_sql_uuid = @u", ("u", sqlChart)),
            Does.Contain("\"order_id\"").And.Contain("\"amount\""),
            "the columns learnt in the background are kept with the chart");
    }

    [Test]
    public async Task DashboardSqlChart_TakesItsColumnsFromTheStoredResult_NotFromTheWarehouseDuringTheRequest()
    {
        await _host.Warehouse.ExecuteAsync("create table vanishing (id integer, label text); insert into vanishing values (1, 'a'), (2, 'b')");
        using var saved = await _host.Client.PostAsJsonAsync($"/api/v1/projects/{_host.ProjectUuid}/sqlCharts", new { name = $"Vanishing {Guid.NewGuid():N}", sql = "select id, label from vanishing" });
        var sqlChart = (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("savedSqlUuid").GetGuid();
        var learning = await _host.Metadata.ScalarAsync<Guid>("select columns_query_uuid from saved_sql where saved_sql_uuid = @u", ("u", sqlChart));
        await _host.WaitForStatusAsync(learning, "ready");
        using var created = await _host.Client.PostAsJsonAsync($"/api/v1/projects/{_host.ProjectUuid}/dashboards", new
        {
            name = "Vanishing board",
            tiles = new[] { new { savedSqlUuid = sqlChart } },
            filters = new { dimensions = new object[] { new { target = new { fieldId = "label" }, @operator = "equals", values = new[] { "a" } } } },
        });
        var dashboard = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
        // The warehouse can no longer describe the SQL: a request that asked it would fail.
        await _host.Warehouse.ExecuteAsync("drop table vanishing");

        using var response = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/dashboard-sql-chart", new
        {
            savedSqlUuid = sqlChart,
            dashboardUuid = dashboard.GetProperty("dashboardUuid").GetGuid(),
            tileUuid = dashboard.GetProperty("tiles")[0].GetProperty("tileUuid").GetGuid(),
            waitMs = 20_000,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var results = body.GetProperty("results");
        Assert.That(results.GetProperty("appliedDashboardFilters").GetArrayLength(), Is.EqualTo(1), "the filter compiled from the stored columns");
        Assert.That(results.GetProperty("firstPage").GetProperty("status").GetString(), Is.EqualTo("error"), "the query itself meets the missing table on its worker");
    }

    [Test]
    public async Task ChartsAndDashboards_CanBeRenamedAndReplaced()
    {
        var (dashboard, _, chart) = await CreateDashboardAsync();

        using var renamed = await _host.Client.PatchAsJsonAsync($"{Saved}/{chart}", new { name = "Renamed chart", description = "now described" });
        using var replaced = await _host.Client.PutAsJsonAsync($"/api/v1/projects/{_host.ProjectUuid}/dashboards/{dashboard}", new
        {
            name = "Shop, again",
            tiles = new[] { new { savedChartUuid = chart }, new { savedChartUuid = chart } },
        });
        using var viewerReplaces = await _viewer.PutAsJsonAsync($"/api/v1/projects/{_host.ProjectUuid}/dashboards/{dashboard}", new { name = "Mine" });
        var after = (await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");

        Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("name").GetString(), Is.EqualTo("Renamed chart"));
        Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(after.GetProperty("name").GetString(), Is.EqualTo("Shop, again"));
        Assert.That(after.GetProperty("tiles").GetArrayLength(), Is.EqualTo(2));
        Assert.That(after.GetProperty("filters").EnumerateObject(), Is.Empty, "filters replaced too");
        Assert.That(viewerReplaces.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task DashboardList_ShowsEachDashboardsTiles()
    {
        var (dashboard, _, chart) = await CreateDashboardAsync();

        var list = (await _viewer.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{_host.ProjectUuid}/dashboards")).GetProperty("results");
        var one = (await _viewer.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{_host.ProjectUuid}/dashboards/{dashboard}")).GetProperty("results");

        var listed = list.EnumerateArray().Single(d => d.GetProperty("dashboardUuid").GetGuid() == dashboard);
        Assert.That(listed.GetProperty("tiles").GetArrayLength(), Is.GreaterThan(0));
        Assert.That(listed.GetProperty("tiles").ToString(), Is.EqualTo(one.GetProperty("tiles").ToString()), "the list shows the tiles the dashboard route shows");
        Assert.That(listed.GetProperty("tiles")[0].GetProperty("savedChartUuid").GetGuid(), Is.EqualTo(chart));
    }
}
