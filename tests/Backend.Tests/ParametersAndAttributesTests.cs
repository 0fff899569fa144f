using System.Net;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Parameters, user attributes and access by attribute through the routes, on the demo shop (two
/// customers: Ada in GB, Alan in US; three orders): values checked before anything is queued,
/// recorded in the history row, never spliced; two users with different attributes see different rows
/// from the same saved chart and dashboard tile, and neither shares the other's cached result; a
/// field a user's attributes do not allow is absent from their explores and a 403 wherever they ask for it.
/// </summary>
[Category(TestCategories.Integration)]
public class ParametersAndAttributesTests
{
    private const string Config = """
        parameters:
          status:
            options: [placed, shipped]
            default: placed
          statuses:
            options: [placed, shipped, completed]
            multiple: true
          country_choice:
            options_from_dimension: {model: customers, dimension: country}
          free:
            allow_custom_values: true
        """;

    private const string Models = """
        models:
          - name: orders
            meta:
              joins:
                - join: customers
                  sql_on: ${orders.customer_id} = ${customers.customer_id}
                  relationship: many-to-one
              metrics:
                order_count: {type: count}
            columns:
              - name: order_id
                meta: {dimension: {type: number}}
              - name: customer_id
                meta: {dimension: {type: number}}
              - name: status
              - name: amount
                meta:
                  dimension: {type: number}
                  metrics:
                    total: {type: sum}
              - name: is_chosen
                meta:
                  dimension:
                    type: boolean
                    sql: ${TABLE}.status = ${lightdash.parameters.status}
              - name: in_statuses
                meta:
                  dimension:
                    type: boolean
                    sql: ${TABLE}.status IN (${ld.parameters.statuses})
              - name: secret
                meta:
                  dimension:
                    type: number
                    sql: ${TABLE}.amount * 2
                    required_attributes: {is_admin: "true"}
          - name: customers
            meta:
              sql_filter: ${TABLE}.country = ${ld.attr.country}
            columns:
              - name: customer_id
                meta:
                  dimension: {type: number}
                  metrics:
                    customer_count: {type: count_distinct}
              - name: first_name
              - name: country
        """;

    private BackendHost _host = null!;
    private HttpClient _gb = null!;
    private HttpClient _us = null!;
    private Guid _gbUser;
    private Guid _usUser;

    private string Project => $"/api/v1/projects/{_host.ProjectUuid}";

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartDemoShopAsync();
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Put, $"{Project}/models", new
        {
            files = new[] { new { path = "shop.yml", content = Models }, new { path = "lightdash.config.yml", content = Config } },
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        _gb = await _host.CreateMemberClientAsync($"gb-{Guid.NewGuid():N}@example.com", "developer");
        _us = await _host.CreateMemberClientAsync($"us-{Guid.NewGuid():N}@example.com", "developer");
        _gbUser = await UserUuidAsync(_gb);
        _usUser = await UserUuidAsync(_us);
        var admin = await _host.AdminUserUuidAsync();
        await SaveAttributeAsync("country", null, (_gbUser, "GB"), (_usUser, "US"), (admin, "GB"));
        await SaveAttributeAsync("is_admin", "false", (admin, "true"));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _gb.Dispose();
        _us.Dispose();
        await _host.DisposeAsync();
    }

    private static async Task<Guid> UserUuidAsync(HttpClient client) =>
        (await BackendHost.SendAsync(client, HttpMethod.Get, "/api/v1/user")).Body.GetProperty("results").GetProperty("userUuid").GetGuid();

    private async Task<Guid> SaveAttributeAsync(string name, string? attributeDefault, params (Guid User, string Value)[] values)
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/org/attributes", new
        {
            name,
            attributeDefault,
            users = values.Select(v => new { userUuid = v.User, value = v.Value }).ToArray(),
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("uuid").GetGuid();
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> MetricQueryAsync(HttpClient client, object query, object? parameters = null) =>
        BackendHost.SendAsync(client, HttpMethod.Post, $"{_host.QueryPath()}/metric-query", new { query, parameters, waitMs = 20_000 });

    private static object Query(string explore, string[] dimensions, string[] metrics) =>
        new { exploreName = explore, dimensions, metrics, sorts = new[] { new { fieldId = dimensions[0], descending = false } }, limit = 100 };

    private static List<JsonElement> Rows(JsonElement body)
    {
        var page = body.GetProperty("results").GetProperty("firstPage");
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("ready"), page.ToString());
        return [.. page.GetProperty("rows").EnumerateArray()];
    }

    private async Task<long> HistoryCountAsync() =>
        await _host.Metadata.ScalarAsync<long>("select count(*) from query_history");

    [Test]
    public async Task Parameters_ReachTheSql_AndAreRecorded()
    {
        var (status, body) = await MetricQueryAsync(_gb, Query("orders", ["orders_is_chosen"], ["orders_order_count"]), new { status = "shipped" });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(Rows(body).Select(r => (RowValues.Raw(r, "orders_is_chosen").GetBoolean(), RowValues.Raw(r, "orders_order_count").GetInt64())), Is.EqualTo(new[] { (false, 1L), (true, 2L) }));
        var recorded = await _host.HistoryValueAsync<string>(body.GetProperty("results").GetProperty("queryUuid").GetGuid(), "request_parameters::text");
        Assert.That(recorded, Does.Contain("\"status\": [\"shipped\"]"));

        var (_, byDefault) = await MetricQueryAsync(_gb, Query("orders", ["orders_is_chosen"], ["orders_order_count"]));
        Assert.That(Rows(byDefault).Select(r => RowValues.Raw(r, "orders_order_count").GetInt64()), Is.EqualTo(new[] { 2L, 1L }), "unset: the default (placed) applies");

        var (_, several) = await MetricQueryAsync(_gb, Query("orders", ["orders_in_statuses"], ["orders_order_count"]), new { statuses = new[] { "placed", "shipped" } });
        Assert.That(Rows(several).Single().GetProperty("orders_in_statuses").GetProperty("value").GetProperty("raw").GetBoolean(), Is.True);
    }

    [TestCase("{\"nope\": \"x\"}", "nope")]
    [TestCase("{\"status\": \"returned\"}", "not one of its options")]
    [TestCase("{\"status\": [\"placed\", \"shipped\"]}", "takes one value")]
    [TestCase("{\"statuses\": []}", "1 to 100 values")]
    [TestCase("{\"status\": {\"a\": 1}}", "strings, numbers or booleans")]
    [TestCase("{\"country_choice\": \"FR\"}", "not one of its options")]
    public async Task BadParameters_Are400_BeforeAnythingIsQueued(string parameters, string expected)
    {
        var before = await HistoryCountAsync();

        var (status, body) = await MetricQueryAsync(_gb, Query("orders", ["orders_is_chosen"], ["orders_order_count"]), JsonDocument.Parse(parameters).RootElement);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
        Assert.That(await HistoryCountAsync(), Is.EqualTo(before), "nothing was recorded or queued");
    }

    [TestCase("'; drop table orders; --")]
    [TestCase("' or '1'='1")]
    [TestCase("${lightdash.parameters.status}")]
    [TestCase("\\'; select pg_sleep(10); --")]
    public async Task ParameterValuesInRawSql_AreLiterals(string value)
    {
        var (status, body) = await BackendHost.SendAsync(_gb, HttpMethod.Post, $"{_host.QueryPath()}/sql", new
        {
            sql = "select count(*) as n from orders where status = ${lightdash.parameters.free}",
            parameters = new { free = value },
            waitMs = 20_000,
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(RowValues.Raw(Rows(body).Single(), "n").GetInt64(), Is.Zero);
        Assert.That(await _host.Warehouse.ScalarAsync<long>("select count(*) from orders"), Is.EqualTo(3), "the table is still there");
    }

    [Test]
    public async Task ParametersRoute_ListsOptions_FromTheDimensionUnderTheCallersRowFilter()
    {
        var (status, body) = await BackendHost.SendAsync(_gb, HttpMethod.Get, $"{Project}/parameters");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var parameters = body.GetProperty("results").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.That(parameters.Keys, Is.EquivalentTo(new[] { "status", "statuses", "country_choice", "free" }));
        Assert.That(parameters["status"].GetProperty("options").EnumerateArray().Select(o => o.GetString()), Is.EqualTo(new[] { "placed", "shipped" }));
        Assert.That(parameters["country_choice"].GetProperty("options").EnumerateArray().Select(o => o.GetString()), Is.EqualTo(new[] { "GB" }), "customers' sql_filter applies to the options");
    }

    [Test]
    public async Task SavedChartAndDashboardTile_ShowEachUserTheirRows_AndTheCacheKeepsThemApart()
    {
        var (status, chart) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{Project}/saved", new
        {
            name = $"Customers {Guid.NewGuid():N}",
            metricQuery = Query("customers", ["customers_first_name"], ["customers_customer_count"]),
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), chart.ToString());
        var chartUuid = chart.GetProperty("results").GetProperty("savedChartUuid").GetGuid();
        var (_, dashboard) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{Project}/dashboards", new { name = $"D {Guid.NewGuid():N}", tiles = new[] { new { savedChartUuid = chartUuid } } });
        var dashboardUuid = dashboard.GetProperty("results").GetProperty("dashboardUuid").GetGuid();
        var tileUuid = dashboard.GetProperty("results").GetProperty("tiles")[0].GetProperty("tileUuid").GetGuid();

        async Task<(string[] Names, bool CacheHit)> RunChartAsync(HttpClient client)
        {
            var (s, b) = await BackendHost.SendAsync(client, HttpMethod.Post, $"{_host.QueryPath()}/chart", new { chartUuid, waitMs = 20_000 });
            Assert.That(s, Is.EqualTo(HttpStatusCode.OK), b.ToString());
            return ([.. Rows(b).Select(r => RowValues.Raw(r, "customers_first_name").GetString()!)], b.GetProperty("results").GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean());
        }

        var gb = await RunChartAsync(_gb);
        var us = await RunChartAsync(_us);
        var gbAgain = await RunChartAsync(_gb);
        var (tileStatus, tile) = await BackendHost.SendAsync(_us, HttpMethod.Post, $"{_host.QueryPath()}/dashboard-chart", new { dashboardUuid, tileUuid, chartUuid, waitMs = 20_000 });

        Assert.That(gb, Is.EqualTo((new[] { "Ada" }, false)));
        Assert.That(us, Is.EqualTo((new[] { "Alan" }, false)), "another user's attributes: not the GB user's cached result");
        Assert.That(gbAgain, Is.EqualTo((new[] { "Ada" }, true)), "the same attributes share the cache");
        Assert.That(tileStatus, Is.EqualTo(HttpStatusCode.OK), tile.ToString());
        Assert.That(Rows(tile).Select(r => RowValues.Raw(r, "customers_first_name").GetString()), Is.EqualTo(new[] { "Alan" }));
    }

    [Test]
    public async Task RestrictedField_IsAbsentFromExplores_And403OnEveryRouteThatCouldReachIt()
    {
        var (_, explores) = await BackendHost.SendAsync(_gb, HttpMethod.Get, $"{Project}/explores/orders");
        Assert.That(explores.GetProperty("results").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("id").GetString()), Does.Not.Contain("orders_secret"));
        var (_, adminExplores) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"{Project}/explores/orders");
        Assert.That(adminExplores.GetProperty("results").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("id").GetString()), Does.Contain("orders_secret"));

        // The admin (is_admin: true) may use it, and saves a chart and a dashboard with it.
        var secretQuery = Query("orders", ["orders_secret"], ["orders_order_count"]);
        Assert.That((await MetricQueryAsync(_host.Client, secretQuery)).Status, Is.EqualTo(HttpStatusCode.OK));
        var (_, chart) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{Project}/saved", new { name = $"Secret {Guid.NewGuid():N}", metricQuery = secretQuery });
        var chartUuid = chart.GetProperty("results").GetProperty("savedChartUuid").GetGuid();
        var (_, dashboard) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{Project}/dashboards", new { name = $"S {Guid.NewGuid():N}", tiles = new[] { new { savedChartUuid = chartUuid } } });
        var dashboardUuid = dashboard.GetProperty("results").GetProperty("dashboardUuid").GetGuid();
        var tileUuid = dashboard.GetProperty("results").GetProperty("tiles")[0].GetProperty("tileUuid").GetGuid();
        var (_, ownQuery) = await MetricQueryAsync(_gb, Query("orders", ["orders_status"], ["orders_order_count"]));
        var ownQueryUuid = ownQuery.GetProperty("results").GetProperty("queryUuid").GetGuid();
        var filterOnSecret = new { and = new[] { new { id = "s", target = new { fieldId = "orders_secret" }, @operator = "greaterThan", values = new[] { 1 } } } };

        var attempts = new (string Route, Task<(HttpStatusCode Status, JsonElement Body)> Call)[]
        {
            ("metric-query", MetricQueryAsync(_gb, secretQuery)),
            ("metric-query filter", MetricQueryAsync(_gb, new { exploreName = "orders", dimensions = new[] { "orders_status" }, metrics = Array.Empty<string>(), filters = new { dimensions = filterOnSecret }, limit = 10 })),
            ("chart", BackendHost.SendAsync(_gb, HttpMethod.Post, $"{_host.QueryPath()}/chart", new { chartUuid })),
            ("dashboard-chart", BackendHost.SendAsync(_gb, HttpMethod.Post, $"{_host.QueryPath()}/dashboard-chart", new { dashboardUuid, tileUuid, chartUuid })),
            ("underlying-data", BackendHost.SendAsync(_gb, HttpMethod.Post, $"{_host.QueryPath()}/underlying-data", new { underlyingDataSourceQueryUuid = ownQueryUuid, filters = new { dimensions = filterOnSecret } })),
        };
        foreach (var (route, call) in attempts)
        {
            var (status, body) = await call;
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), $"{route}: {body}");
            Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("orders_secret"), route);
        }

        var (underlying, rows) = await BackendHost.SendAsync(_gb, HttpMethod.Post, $"{_host.QueryPath()}/underlying-data", new { underlyingDataSourceQueryUuid = ownQueryUuid, waitMs = 20_000 });
        Assert.That(underlying, Is.EqualTo(HttpStatusCode.OK), rows.ToString());
        Assert.That(rows.GetProperty("results").GetProperty("fields").EnumerateObject().Select(f => f.Name), Does.Not.Contain("orders_secret"), "underlying data leaves the field out");
        var adminQueryUuid = (await MetricQueryAsync(_host.Client, secretQuery)).Body.GetProperty("results").GetProperty("queryUuid").GetGuid();
        var (download, _) = await BackendHost.SendAsync(_gb, HttpMethod.Post, $"{_host.QueryPath()}/{adminQueryUuid}/download", new { type = "csv" });
        Assert.That(download, Is.EqualTo(HttpStatusCode.NotFound), "downloads are of one's own queries only");
    }

    [Test]
    public async Task RowFilterWithoutTheAttribute_Is403NamingIt()
    {
        using var stranger = await _host.CreateMemberClientAsync($"none-{Guid.NewGuid():N}@example.com", "viewer");

        var (status, body) = await MetricQueryAsync(stranger, Query("customers", ["customers_first_name"], []));

        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("country"));
    }

    [Test]
    public async Task AttributeRoutes_AreForOrganisationAdmins_AndCheckTheirInput()
    {
        Assert.That((await BackendHost.SendAsync(_gb, HttpMethod.Get, "/api/v1/org/attributes")).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await BackendHost.SendAsync(_gb, HttpMethod.Post, "/api/v1/org/attributes", new { name = "x" })).Status, Is.EqualTo(HttpStatusCode.Forbidden));

        var cases = new (object Body, HttpStatusCode Status, string Message)[]
        {
            (new { name = "Bad Name" }, HttpStatusCode.BadRequest, "lower-case"),
            (new { name = "country" }, HttpStatusCode.Conflict, "exists"),
            (new { name = "team", users = new[] { new { userUuid = Guid.NewGuid(), value = "a" } } }, HttpStatusCode.BadRequest, "does not exist"),
            (new { name = "team", users = new[] { new { userUuid = _gbUser, value = new string('x', 2000) } } }, HttpStatusCode.BadRequest, "at most 1024"),
            (new { name = "team", users = new[] { new { userUuid = _gbUser, value = "a" }, new { userUuid = _gbUser, value = "b" } } }, HttpStatusCode.BadRequest, "twice"),
        };
        foreach (var (request, expected, message) in cases)
        {
            var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/org/attributes", request);
            Assert.That(status, Is.EqualTo(expected), body.ToString());
            Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(message));
        }

        var team = await SaveAttributeAsync("team", null, (_gbUser, "finance"));
        var (updated, changed) = await BackendHost.SendAsync(_host.Client, HttpMethod.Put, $"/api/v1/org/attributes/{team}", new { name = "team", users = new[] { new { userUuid = _usUser, value = "exec" } } });
        Assert.That(updated, Is.EqualTo(HttpStatusCode.OK), changed.ToString());
        var (_, list) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, "/api/v1/org/attributes");
        var listed = list.GetProperty("results").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "team");
        Assert.That(listed.GetProperty("users").EnumerateArray().Select(u => (u.GetProperty("userUuid").GetGuid(), u.GetProperty("value").GetString())), Is.EqualTo(new[] { (_usUser, "exec") }));
        Assert.That((await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, $"/api/v1/org/attributes/{team}")).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, $"/api/v1/org/attributes/{team}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
