using System.Net;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The routes that treat results as data, on the demo shop (Ada in GB, Alan in US; orders: placed 10
/// by Ada, shipped 20 by Ada as a gift, shipped 30 by Alan): field values for autocomplete, totals and
/// subtotals computed by the warehouse, and merged queries.
/// </summary>
[Category(TestCategories.Integration)]
public class ResultsDataTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartDemoShopAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string route, object body) =>
        BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{route}", body);

    private static object Filter(string field, string op, params object[] values) =>
        new { dimensions = new { and = new[] { new { id = "f", target = new { fieldId = field }, @operator = op, values } } } };

    private async Task<string[]> ValuesAsync(object request)
    {
        var (status, body) = await PostAsync("field-values", request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return [.. body.GetProperty("results").GetProperty("results").EnumerateArray().Select(v => v.ToString())];
    }

    [Test]
    public async Task FieldValues_WithSearchFiltersAndLimit()
    {
        Assert.That(await ValuesAsync(new { table = "orders", fieldId = "orders_status" }), Is.EqualTo(new[] { "placed", "shipped" }));
        Assert.That(await ValuesAsync(new { table = "orders", fieldId = "orders_status", search = "SHIP" }), Is.EqualTo(new[] { "shipped" }));
        Assert.That(await ValuesAsync(new { table = "orders", fieldId = "customers_country", filters = Filter("orders_status", "equals", "placed") }), Is.EqualTo(new[] { "GB" }));
        Assert.That(await ValuesAsync(new { table = "orders", fieldId = "orders_status", limit = 1 }), Is.EqualTo(new[] { "placed" }));
        Assert.That(await ValuesAsync(new { table = "orders", fieldId = "orders_amount" }), Is.EqualTo(new[] { "10.00", "20.00", "30.00" }), "numbers stay numbers");
    }

    [Test]
    public async Task FieldValues_AreCachedUntilForcedToRefresh()
    {
        var request = new { table = "customers", fieldId = "customers_first_name", search = "a" };
        var (_, first) = await PostAsync("field-values", request);
        await _host.Warehouse.ExecuteAsync("insert into customers values (3, 'Grace', 'H', 'US', '2024-01-03')");
        try
        {
            var (_, cached) = await PostAsync("field-values", request);
            var (_, refreshed) = await PostAsync("field-values", new { table = "customers", fieldId = "customers_first_name", search = "a", forceRefresh = true });

            Assert.That(first.GetProperty("results").GetProperty("cached").GetBoolean(), Is.False);
            Assert.That(cached.GetProperty("results").GetProperty("cached").GetBoolean(), Is.True);
            Assert.That(cached.GetProperty("results").GetProperty("results").GetArrayLength(), Is.EqualTo(2));
            Assert.That(refreshed.GetProperty("results").GetProperty("results").EnumerateArray().Select(v => v.GetString()), Is.EqualTo(new[] { "Ada", "Alan", "Grace" }));
        }
        finally
        {
            await _host.Warehouse.ExecuteAsync("delete from customers where customer_id = 3");
        }
    }

    [TestCase("{\"table\": \"orders\", \"fieldId\": \"orders_nope\"}", "not a dimension")]
    [TestCase("{\"table\": \"orders\", \"fieldId\": \"orders_total_revenue\"}", "not a dimension")]
    [TestCase("{\"table\": \"nope\", \"fieldId\": \"orders_status\"}", "nope")]
    [TestCase("{\"table\": \"orders\", \"fieldId\": \"orders_amount\", \"search\": \"1\"}", "applies to text")]
    [TestCase("{\"table\": \"orders\", \"fieldId\": \"orders_status\", \"limit\": 0}", "limit")]
    public async Task FieldValues_BadInput_Is400(string request, string expected)
    {
        var (status, body) = await PostAsync("field-values", JsonDocument.Parse(request).RootElement);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    private async Task<Guid> MetricQueryAsync(object query)
    {
        var (status, body) = await PostAsync("metric-query", new { query, waitMs = 20_000 });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("queryUuid").GetGuid();
    }

    [Test]
    public async Task Totals_AreTheWarehousesNotASumOfTheColumn()
    {
        var queryUuid = await MetricQueryAsync(new
        {
            exploreName = "orders",
            dimensions = new[] { "orders_status" },
            metrics = new[] { "orders_total_revenue", "customers_customer_count", "orders_average_order_value" },
            limit = 100,
        });

        var (status, body) = await PostAsync($"{queryUuid}/calculate-total", new { });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var totals = body.GetProperty("results");
        Assert.That(totals.GetProperty("orders_total_revenue").GetDecimal(), Is.EqualTo(60m));
        Assert.That(totals.GetProperty("customers_customer_count").GetInt64(), Is.EqualTo(await _host.Warehouse.ScalarAsync<long>("select count(distinct customer_id) from orders")),
            "2 customers in all, though the column (placed 1, shipped 2) sums to 3");
        Assert.That(totals.GetProperty("orders_average_order_value").GetDecimal(), Is.EqualTo(20m));
    }

    [Test]
    public async Task Totals_KeepTheDimensionFilters()
    {
        var queryUuid = await MetricQueryAsync(new { exploreName = "orders", dimensions = new[] { "orders_status" }, metrics = new[] { "orders_total_revenue" }, filters = Filter("orders_is_gift", "equals", false), limit = 100 });

        var (_, body) = await PostAsync($"{queryUuid}/calculate-total", new { });

        Assert.That(body.GetProperty("results").GetProperty("orders_total_revenue").GetDecimal(), Is.EqualTo(40m));
    }

    [Test]
    public async Task Subtotals_ByAGroupOfTheDimensions()
    {
        var queryUuid = await MetricQueryAsync(new { exploreName = "orders", dimensions = new[] { "orders_status", "customers_country" }, metrics = new[] { "orders_total_revenue" }, limit = 100 });

        var (status, body) = await PostAsync($"{queryUuid}/calculate-subtotals", new { dimensionGroups = new[] { new[] { "orders_status" } } });
        var (bad, error) = await PostAsync($"{queryUuid}/calculate-subtotals", new { dimensionGroups = new[] { new[] { "orders_order_date" } } });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var rows = body.GetProperty("results").GetProperty("subtotals").GetProperty("orders_status").EnumerateArray();
        Assert.That(rows.Select(r => (r.GetProperty("orders_status").GetString(), r.GetProperty("orders_total_revenue").GetDecimal())), Is.EqualTo(new[] { ("placed", 10m), ("shipped", 50m) }));
        Assert.That(bad, Is.EqualTo(HttpStatusCode.BadRequest), error.ToString());
    }

    [Test]
    public async Task MergeQuery_JoinsOnSharedDimensions_KeepingRowsMissingOnOneSide()
    {
        var (status, body) = await PostAsync("merge-query", new
        {
            queries = new object[]
            {
                new { exploreName = "orders", dimensions = new[] { "customers_country" }, metrics = new[] { "orders_total_revenue" }, limit = 100 },
                new { exploreName = "customers", dimensions = new[] { "customers_country" }, metrics = new[] { "customers_customer_count" }, filters = Filter("customers_country", "equals", "GB"), limit = 100 },
            },
            waitMs = 20_000,
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var page = body.GetProperty("results").GetProperty("firstPage");
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("ready"), page.ToString());
        var rows = page.GetProperty("rows").EnumerateArray().Select(r => (
            RowValues.Raw(r, "customers_country").GetString(),
            RowValues.Raw(r, "orders_total_revenue").GetDecimal(),
            RowValues.Raw(r, "customers_customer_count") is { ValueKind: JsonValueKind.Number } n ? n.GetInt64() : (long?)null));
        Assert.That(rows, Is.EqualTo(new (string?, decimal, long?)[] { ("GB", 30m, 1), ("US", 30m, null) }));
        Assert.That(RowValues.Formatted(page.GetProperty("rows")[0], "orders_total_revenue"), Is.EqualTo("$30.00"), "each field keeps its format");
    }

    [TestCase(1, false, false, "2 to 5")]
    [TestCase(2, true, false, "share no dimension")]
    [TestCase(2, false, true, "orders_total_revenue is in queries 1 and 2")]
    public async Task MergeQuery_BadInput_Is400(int count, bool noSharedDimension, bool sameMetric, string expected)
    {
        var queries = Enumerable.Range(0, count).Select(i => (object)new
        {
            exploreName = "orders",
            dimensions = new[] { noSharedDimension && i == 1 ? "orders_status" : "customers_country" },
            metrics = new[] { sameMetric || i == 0 ? "orders_total_revenue" : "orders_order_count" },
            limit = 10,
        }).ToArray();

        var (status, body) = await PostAsync("merge-query", new { queries });

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }
}
