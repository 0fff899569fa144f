using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>POST .../query/metric-query: compiled from the project's explores, run through the same path as SQL.</summary>
[Category(TestCategories.Integration)]
public class MetricQueryRouteTests
{
    private BackendHost _host = null!;
    private HttpClient _viewer = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartDemoShopAsync();
        _viewer = await _host.CreateMemberClientAsync("viewer@example.com", "viewer");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _viewer.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> RunAsync(HttpClient client, object query, bool invalidateCache = false)
    {
        using var response = await client.PostAsJsonAsync($"{_host.QueryPath()}/metric-query", new { query, waitMs = 20_000, invalidateCache });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [TestCase(7, HttpStatusCode.OK)]
    [TestCase(0, HttpStatusCode.BadRequest)]
    public async Task StatementTimeoutSeconds_OfAMetricQuery_IsTheStatementsLimit(int seconds, HttpStatusCode expected)
    {
        using var response = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/metric-query", new
        {
            query = new { exploreName = "orders", dimensions = new[] { "orders_status" }, metrics = new[] { "orders_order_count" }, limit = 10 + seconds },
            statementTimeoutSeconds = seconds,
            invalidateCache = true,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(expected), body.ToString());
        if (expected == HttpStatusCode.OK)
        {
            Assert.That(await _host.HistoryValueAsync<long>(body.GetProperty("results").GetProperty("queryUuid").GetGuid(), "statement_timeout_ms"), Is.EqualTo(seconds * 1000L));
        }
        else
        {
            Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("statementTimeoutSeconds"));
        }
    }

    [Test]
    public async Task Viewer_RunsAMetricQuery_AndReadsItsPage()
    {
        var (status, body) = await RunAsync(_viewer, new
        {
            exploreName = "orders",
            dimensions = new[] { "customers_country" },
            metrics = new[] { "orders_total_revenue", "orders_order_count" },
            filters = new { dimensions = new { id = "f", and = new object[] { new { id = "r", target = new { fieldId = "orders_status" }, @operator = "equals", values = new[] { "shipped" } } } } },
            sorts = new[] { new { fieldId = "customers_country", descending = false } },
            limit = 100,
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var results = body.GetProperty("results");
        Assert.That(results.GetProperty("fields").GetProperty("orders_total_revenue").GetProperty("fieldType").GetString(), Is.EqualTo("metric"));
        Assert.That(results.GetProperty("metricQuery").GetProperty("exploreName").GetString(), Is.EqualTo("orders"));
        var page = results.GetProperty("firstPage");
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("ready"), page.ToString());
        var rows = page.GetProperty("rows").EnumerateArray().ToList();
        Assert.That(rows.Select(r => (RowValues.Raw(r, "customers_country").GetString(), RowValues.Raw(r, "orders_total_revenue").GetDecimal())), Is.EqualTo(new[] { ("GB", 20m), ("US", 30m) }));
        Assert.That(RowValues.Formatted(rows[0], "orders_total_revenue"), Is.EqualTo("$20.00"), "formatted as the field's usd format says");
        var stored = await _host.HistoryValueAsync<string>(results.GetProperty("queryUuid").GetGuid(), "metric_query::text");
        Assert.That(stored, Does.Contain("\"exploreName\": \"orders\""));
    }

    [Test]
    public async Task SameMetricQueryTwice_IsACacheHit()
    {
        var query = new { exploreName = "orders", dimensions = new[] { "orders_status" }, metrics = new[] { "orders_unique_orders" } };
        await RunAsync(_viewer, query);

        var (_, again) = await RunAsync(_viewer, query);

        Assert.That(again.GetProperty("results").GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.True);
    }

    [Test]
    public async Task TableCalculations_NeedTheDeveloperRole_AndRunForAdmins()
    {
        var query = new
        {
            exploreName = "orders",
            dimensions = new[] { "orders_status" },
            metrics = new[] { "orders_total_revenue" },
            tableCalculations = new[] { new { name = "doubled", displayName = "Doubled", sql = "${orders.total_revenue} * 2" } },
            sorts = new[] { new { fieldId = "doubled", descending = true } },
        };

        var (viewerStatus, _) = await RunAsync(_viewer, query);
        var (adminStatus, body) = await RunAsync(_host.Client, query);

        Assert.That(viewerStatus, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(adminStatus, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var first = body.GetProperty("results").GetProperty("firstPage").GetProperty("rows")[0];
        Assert.That(RowValues.Raw(first, "doubled").GetDecimal(), Is.EqualTo(100m), "shipped: 2 × 50");
    }

    [Test]
    public async Task UnderlyingData_ReturnsTheRowsBehindAClickedValue()
    {
        var (_, source) = await RunAsync(_viewer, new
        {
            exploreName = "orders",
            dimensions = new[] { "orders_status" },
            metrics = new[] { "orders_total_revenue" },
            filters = new { dimensions = new { and = new object[] { new { target = new { fieldId = "orders_amount" }, @operator = "greaterThan", values = new[] { 15 } } } } },
        });
        var sourceUuid = source.GetProperty("results").GetProperty("queryUuid").GetGuid();

        using var response = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/underlying-data", new
        {
            underlyingDataSourceQueryUuid = sourceUuid,
            underlyingDataItemId = "orders_total_revenue",
            filters = new { dimensions = new { and = new object[] { new { target = new { fieldId = "orders_status" }, @operator = "equals", values = new[] { "shipped" } } } } },
            sorts = new[] { new { fieldId = "orders_order_id", descending = false } },
            waitMs = 20_000,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var page = body.GetProperty("results").GetProperty("firstPage");
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("ready"), page.ToString());
        var rows = page.GetProperty("rows").EnumerateArray().ToList();
        Assert.That(rows.Select(r => RowValues.Raw(r, "orders_order_id").GetInt32()), Is.EqualTo(new[] { 2, 3 }), "shipped orders over 15");
        Assert.That(rows[0].TryGetProperty("customers_country", out _), Is.True, "joined dimensions too");
        Assert.That(rows[0].TryGetProperty("orders_customer_id", out _), Is.False, "hidden dimensions left out");
    }

    [Test]
    public async Task UnderlyingData_ForAFieldTheQueryDoesNotHave_Returns400()
    {
        var (_, source) = await RunAsync(_viewer, new { exploreName = "orders", dimensions = new[] { "orders_status" }, metrics = new[] { "orders_total_revenue" } });

        using var response = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/underlying-data", new
        {
            underlyingDataSourceQueryUuid = source.GetProperty("results").GetProperty("queryUuid").GetGuid(),
            underlyingDataItemId = "orders_no_such_metric",
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("orders_no_such_metric"));
    }

    [Test]
    public async Task UnderlyingData_OfASqlQuery_Returns400()
    {
        var sqlQuery = await _host.SubmitAsync("select 1 as one");

        using var response = await _host.Client.PostAsJsonAsync($"{_host.QueryPath()}/underlying-data", new { underlyingDataSourceQueryUuid = sqlQuery });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Viewer_StillCannotRunRawSql()
    {
        using var response = await _viewer.PostAsJsonAsync($"{_host.QueryPath()}/sql", new { sql = "select 1" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("{\"exploreName\":\"nope\",\"metrics\":[\"orders_order_count\"]}", "Explore nope")]
    [TestCase("{\"exploreName\":\"orders\",\"metrics\":[\"orders_nothing\"]}", "orders_nothing")]
    [TestCase("{\"exploreName\":\"orders\",\"metrics\":[\"orders_order_count\"],\"filters\":{\"dimensions\":{\"and\":[{\"target\":{\"fieldId\":\"orders_amount\"},\"operator\":\"equals\",\"values\":[\"lots\"]}]}}}", "not a number")]
    [TestCase("{\"exploreName\":\"orders\",\"metrics\":[\"orders_order_count\"],\"filters\":{\"dimensions\":{\"xor\":[]}}}", "\"and\" or \"or\"")]
    [TestCase("{\"exploreName\":\"orders\",\"metrics\":[\"orders_order_count\"],\"limit\":0}", "limit")]
    public async Task BadMetricQuery_Returns400NamingTheProblem(string query, string message)
    {
        using var content = new StringContent($"{{\"query\":{query}}}", System.Text.Encoding.UTF8, "application/json");
        using var response = await _viewer.PostAsync($"{_host.QueryPath()}/metric-query", content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(message));
    }
}
