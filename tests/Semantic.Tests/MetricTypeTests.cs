using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Semantic.Tests;

/// <summary>
/// Every metric type Lightdash documents, compiled and run on PostgreSQL and DuckDB over six orders
/// with hand-computed answers: aggregates (including sum_distinct and average_distinct),
/// non-aggregates of each type, and post-calculation metrics as windows over the grouped result in
/// the order of the query's sorts.
/// </summary>
[TestFixture("postgres")]
[TestFixture("duckdb")]
[Category(TestCategories.Integration)]
public class MetricTypeTests(string warehouse) : WarehouseShop(warehouse, Data, [("shop.yml", Models)])
{
    private const string Models = """
        models:
          - name: orders
            meta:
              metrics:
                order_count: {type: count}
                is_big:
                  type: boolean
                  sql: ${total_revenue} > 50
                count_text:
                  type: string
                  sql: CAST(${order_count} AS VARCHAR)
                first_day:
                  type: date
                  sql: ${first_order_date}
                running_revenue:
                  type: running_total
                  sql: ${total_revenue}
                revenue_share:
                  type: percent_of_total
                  sql: ${total_revenue}
                revenue_vs_previous:
                  type: percent_of_previous
                  sql: ${total_revenue}
                running_orders:
                  type: running_total
                  sql: ${order_count}
            columns:
              - name: order_id
                meta: {dimension: {type: number}}
              - name: customer_id
                meta: {dimension: {type: number}}
              - name: order_date
                meta:
                  dimension: {type: date}
                  metrics:
                    first_order_date: {type: min}
                    last_order_date: {type: max}
              - name: status
              - name: amount
                meta:
                  dimension: {type: number}
                  metrics:
                    total_revenue: {type: sum}
                    average_amount: {type: average}
                    distinct_amounts: {type: count_distinct}
              - name: customer_points
                meta:
                  dimension: {type: number}
                  metrics:
                    points_once_per_customer:
                      type: sum_distinct
                      distinct_keys: [customer_id]
                    average_points_per_customer:
                      type: average_distinct
                      distinct_keys: customer_id
        """;

    // Customer points repeat on each of the customer's orders: 1 → 5, 2 → 7, 3 → 11.
    private const string Data = """
        create table orders (order_id integer, customer_id integer, order_date date, status varchar, amount decimal(10,2), customer_points integer);
        insert into orders values
          (1, 1, date '2024-01-05', 'placed', 10.00, 5),
          (2, 1, date '2024-01-20', 'shipped', 20.00, 5),
          (3, 2, date '2024-02-03', 'shipped', 30.00, 7),
          (4, 2, date '2024-02-10', 'returned', 40.00, 7),
          (5, 3, date '2024-03-01', 'placed', 50.00, 11),
          (6, 3, date '2024-03-15', 'placed', 60.00, 11);
        """;

    private static MetricQuery Query(string[] dimensions, string[] metrics, SortField[]? sorts = null, FilterGroup? having = null) =>
        new("orders", dimensions, metrics, null, having, sorts ?? [], 500);

    private static SortField Ascending(string field) => new(field, false);

    private static double? Fraction(JsonElement row, string field) =>
        row.GetProperty(field).ValueKind == JsonValueKind.Null ? null : Math.Round(row.GetProperty(field).GetDouble(), 6);

    private static string Month(JsonElement row) => row.GetProperty("orders_order_date_month").GetString()!;

    [Test]
    public async Task DistinctKeyAggregates_CountEachCustomerOnce()
    {
        var all = (await RunAsync(Query([], ["orders_points_once_per_customer", "orders_average_points_per_customer", "orders_distinct_amounts"]))).Single();
        var byStatus = await RunAsync(Query(["orders_status"], ["orders_points_once_per_customer"], [Ascending("orders_status")]));

        Assert.That(Number(all, "orders_points_once_per_customer"), Is.EqualTo(23m), "5 + 7 + 11, not 46");
        Assert.That(Math.Round(all.GetProperty("orders_average_points_per_customer").GetDouble(), 6), Is.EqualTo(Math.Round(23 / 3.0, 6)));
        Assert.That(Number(all, "orders_distinct_amounts"), Is.EqualTo(6m));
        Assert.That(byStatus.Select(r => (r.GetProperty("orders_status").GetString(), Number(r, "orders_points_once_per_customer"))), Is.EqualTo(new[]
        {
            ("placed", 16m), ("returned", 7m), ("shipped", 12m),
        }));
    }

    [Test]
    public async Task NonAggregateMetrics_OfEachType()
    {
        var rows = await RunAsync(Query(["orders_order_date_month"], ["orders_is_big", "orders_count_text", "orders_first_day"], [Ascending("orders_order_date_month")]));

        Assert.That(rows.Select(r => (Month(r), r.GetProperty("orders_is_big").GetBoolean(), r.GetProperty("orders_count_text").GetString(), r.GetProperty("orders_first_day").GetString())), Is.EqualTo(new[]
        {
            ("2024-01-01", false, "2", "2024-01-05"), ("2024-02-01", true, "2", "2024-02-03"), ("2024-03-01", true, "2", "2024-03-01"),
        }));
    }

    [Test]
    public async Task PostCalculations_FollowTheSortsAscending()
    {
        var rows = await RunAsync(Query(
            ["orders_order_date_month"],
            ["orders_total_revenue", "orders_running_revenue", "orders_revenue_share", "orders_revenue_vs_previous"],
            [Ascending("orders_order_date_month")]));

        Assert.That(rows.Select(Month), Is.EqualTo(new[] { "2024-01-01", "2024-02-01", "2024-03-01" }));
        Assert.That(rows.Select(r => Number(r, "orders_running_revenue")), Is.EqualTo(new[] { 30m, 100m, 210m }));
        Assert.That(rows.Select(r => Fraction(r, "orders_revenue_share")), Is.EqualTo(new double?[] { 0.142857, 0.333333, 0.523810 }));
        Assert.That(rows.Select(r => Fraction(r, "orders_revenue_vs_previous")), Is.EqualTo(new double?[] { null, 2.333333, 1.571429 }));
    }

    [Test]
    public async Task PostCalculations_FollowTheSortsDescending()
    {
        var rows = await RunAsync(Query(
            ["orders_order_date_month"],
            ["orders_running_revenue", "orders_revenue_vs_previous"],
            [new SortField("orders_order_date_month", true)]));

        Assert.That(rows.Select(r => Number(r, "orders_running_revenue")), Is.EqualTo(new[] { 110m, 180m, 210m }));
        Assert.That(rows.Select(r => Fraction(r, "orders_revenue_vs_previous")), Is.EqualTo(new double?[] { null, 0.636364, 0.428571 }));
    }

    [Test]
    public async Task PostCalculation_WithoutItsMetricSelected_StillComputes_AndOnlySelectedColumnsReturn()
    {
        var rows = await RunAsync(Query(["orders_order_date_month"], ["orders_running_orders"], [Ascending("orders_order_date_month")]));

        Assert.That(rows.Select(r => Number(r, "orders_running_orders")), Is.EqualTo(new[] { 2m, 4m, 6m }));
        Assert.That(rows[0].EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "orders_order_date_month", "orders_running_orders" }));
    }

    [Test]
    public async Task MetricFilterOnAnAggregate_KeepsGroupsBeforeTheWindows()
    {
        var having = new FilterGroup("and", [new FilterRule("orders_total_revenue", "greaterThan", [new FilterValue("40", false)])]);

        var rows = await RunAsync(Query(["orders_order_date_month"], ["orders_running_revenue", "orders_revenue_share"], [Ascending("orders_order_date_month")], having));

        Assert.That(rows.Select(Month), Is.EqualTo(new[] { "2024-02-01", "2024-03-01" }));
        Assert.That(rows.Select(r => Number(r, "orders_running_revenue")), Is.EqualTo(new[] { 70m, 180m }));
        Assert.That(rows.Select(r => Fraction(r, "orders_revenue_share")), Is.EqualTo(new double?[] { 0.388889, 0.611111 }));
    }

    [Test]
    public async Task MetricFilterOnAPostCalculation_TestsTheWindowedValue()
    {
        var having = new FilterGroup("and", [new FilterRule("orders_running_revenue", "greaterThan", [new FilterValue("50", false)])]);

        var rows = await RunAsync(Query(["orders_order_date_month"], ["orders_total_revenue"], [Ascending("orders_order_date_month")], having));

        Assert.That(rows.Select(r => (Month(r), Number(r, "orders_total_revenue"))), Is.EqualTo(new[] { ("2024-02-01", 70m), ("2024-03-01", 110m) }));
    }

    [Test]
    public async Task PostCalculation_WithTableCalculation_AndNoDimensions()
    {
        var query = Query([], ["orders_running_revenue", "orders_revenue_share"]) with
        {
            TableCalculations = [new TableCalculation("doubled", "Doubled", "${orders.running_revenue} * 2")],
        };

        var row = (await RunAsync(query)).Single();

        Assert.That(Number(row, "orders_running_revenue"), Is.EqualTo(210m));
        Assert.That(Fraction(row, "orders_revenue_share"), Is.EqualTo(1.0));
        Assert.That(Number(row, "doubled"), Is.EqualTo(420m));
    }

    [Test]
    public void ReferenceRules_AreLoadErrorsNamingTheField()
    {
        const string bad = """
            models:
              - name: shop
                meta:
                  metrics:
                    total: {type: sum, sql: "${TABLE}.amount"}
                    running_of_running: {type: running_total, sql: "${running}"}
                    running: {type: running_total, sql: "${total}"}
                    running_of_dimension: {type: running_total, sql: "${amount}"}
                    sum_of_metric: {type: sum, sql: "${total}"}
                    no_keys: {type: sum_distinct, sql: "${TABLE}.amount"}
                columns:
                  - name: amount
                    meta: {dimension: {type: number}}
            """;

        var catalog = ModelFileLoader.Load([("bad.yml", bad)]);

        var messages = catalog.Errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        Assert.That(messages, Has.Some.StartsWith("shop_running_of_running:").And.Some.Contains("post-calculation metric shop_running"));
        Assert.That(messages, Has.Some.StartsWith("shop_running_of_dimension:").And.Some.Contains("dimension shop_amount"));
        Assert.That(messages, Has.Some.StartsWith("shop_sum_of_metric:").And.Some.Contains("refers to metric shop_total"));
        Assert.That(messages, Has.Some.StartsWith("no_keys:").And.Some.Contains("distinct_keys"));
        Assert.That(catalog.Explores, Does.Not.ContainKey("shop"));
    }
}
