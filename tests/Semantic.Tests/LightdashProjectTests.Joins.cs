using System.Text.Json;

namespace Lightdash.Net.Semantic.Tests;

// LightdashProjectTests, continued: joins.
public partial class LightdashProjectTests
{
    [Test]
    public void JoinOptions_LimitHideOrAlwaysAddTheJoinedTable()
    {
        const string yaml = """
            models:
              - name: orders
                meta:
                  joins:
                    - join: customers
                      sql_on: ${orders.customer_id} = ${customers.customer_id}
                      relationship: many-to-one
                      fields: [first_name, signed_up]
                      hidden: true
                      always: true
                      type: inner
                columns:
                  - name: customer_id
                    meta: {dimension: {type: number}}
              - name: customers
                columns:
                  - name: customer_id
                    meta: {dimension: {type: number}}
                  - name: first_name
                  - name: last_name
                  - name: signed_up
                    meta: {dimension: {type: date, time_intervals: [MONTH]}}
            """;

        var catalog = ModelFileLoader.Load([("shop.yml", yaml)]);
        var orders = catalog.Explores["orders"];
        var sql = Compiler.Compile(orders, new MetricQuery("orders", ["orders_customer_id"], [], null, null, [], 10)).Sql;

        Assert.That(catalog.Errors.Concat(catalog.Warnings), Is.Empty);
        Assert.That(orders.Fields.Keys.Where(k => k.StartsWith("customers_", StringComparison.Ordinal)), Is.EquivalentTo(new[] { "customers_first_name", "customers_signed_up", "customers_signed_up_month" }));
        Assert.That(orders.Fields["customers_first_name"].Hidden, Is.True);
        Assert.That(sql, Does.Contain("INNER JOIN customers"), "always: joined though no field of it is selected");
    }

    [Test]
    public async Task CustomGranularity_FromTheConfig()
    {
        Assert.That(await TotalsByAsync("orders_order_date_fiscal_year"), Is.EqualTo(new (string?, decimal)[] { ("FY2024", 150m), ("FY2025", 60m) }));
        Assert.That(Catalog.Explores["orders"].Fields["orders_order_date_fiscal_year"].Label, Is.EqualTo("Order date fiscal year"));
    }

    [Test]
    public async Task AdditionalDimensions_AreQueryable()
    {
        Assert.That(await TotalsByAsync("orders_amount_band"), Is.EqualTo(new (string?, decimal)[] { ("large", 150m), ("small", 60m) }));
        Assert.That((await TotalsByAsync("orders_amount_plus_shipping")).Select(t => t.Key), Is.EqualTo(new[] { "11.00", "22.00", "33.00", "44.00", "55.00", "66.00" }));
    }

    [Test]
    public async Task ExtraExplore_InheritsTheJoins_AndAddsItsDimensions()
    {
        Assert.That(await TotalsByAsync("orders_full_name", "orders_with_names"), Is.EqualTo(new (string?, decimal)[]
        {
            ("Ada Lovelace", 30m), ("Alan Turing", 70m), ("Grace Hopper", 110m),
        }));
        Assert.That(Catalog.Explores["orders"].Fields, Does.Not.ContainKey("orders_full_name"), "the extra explore's dimension is its own");
        Assert.That(Catalog.Explores["orders_with_names"].Label, Is.EqualTo("Orders with customer names"));
    }

    [Test]
    public async Task PostCalculationMetrics_OfTheProject()
    {
        var rows = await RunAsync(new MetricQuery(
            "orders", ["orders_order_date_quarter_name"], ["orders_amount_running_total", "orders_amount_percent_of_total", "orders_completion_share"], null, null,
            [new SortField("orders_order_date_quarter_name", false)], 500));

        Assert.That(rows.Select(r => Number(r, "orders_amount_running_total")), Is.EqualTo(new[] { 60m, 100m, 150m, 210m }));
        Assert.That(rows.Select(r => Math.Round(r.GetProperty("orders_amount_percent_of_total").GetDouble(), 4)), Is.EqualTo(new[] { 0.2857, 0.1905, 0.2381, 0.2857 }));
        Assert.That(
            rows.Select(r => r.GetProperty("orders_completion_share") is { ValueKind: JsonValueKind.Number } share ? Math.Round(share.GetDecimal(), 4) : (decimal?)null),
            Is.EqualTo(new decimal?[] { 0.6667m, null, 1m, 1m }),
            "Q2 has no completed order: its filtered sum is NULL, and so is the share");
    }

    [Test]
    public void ProblemsOfTheNewKeys_AreErrorsNamingTheField()
    {
        const string bad = """
            models:
              - name: visits
                meta:
                  default_time_dimension: {field: kind, interval: MONTH}
                  explores:
                    visits:
                      label: Same name as the model
                columns:
                  - name: kind
                  - name: seen_on
                    meta:
                      dimension: {type: date, time_intervals: [MONTH, fortnight]}
                      additional_dimensions:
                        no_sql: {type: string}
            """;

        var catalog = ModelFileLoader.Load([("visits.yml", bad)]);

        var messages = catalog.Errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        Assert.That(messages, Has.Some.StartsWith("no_sql:").And.Some.Contains("default_time_dimension.field"));
        Assert.That(catalog.Warnings.Select(w => w.Message), Has.Some.Contains("Ignoring unknown time interval \"fortnight\""), "an unknown interval is dropped with a warning, as in Lightdash");
        Assert.That(messages, Has.Some.Contains("Explore visits has the name of another model"));
        Assert.That(catalog.Explores, Is.Empty);
    }
}
