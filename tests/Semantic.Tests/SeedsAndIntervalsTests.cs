using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Semantic.Tests;

/// <summary>
/// Two things a Lightdash project does that used to break loading here, written as Lightdash's demo
/// writes them: a dbt seed (under <c>seeds:</c>) that models join, and a time interval its YAML lists
/// before <c>lightdash.config.yml</c> defines it (dropped with a warning, as Lightdash does, instead of
/// removing the explore and every explore joining it). Run on PostgreSQL and DuckDB.
/// </summary>
[TestFixture("postgres")]
[TestFixture("duckdb")]
[Category(TestCategories.Integration)]
public class SeedsAndIntervalsTests(string warehouse) : WarehouseShop(warehouse, Data, Files)
{
    private const string Data = """
        create table country_codes (code varchar, country_name varchar);
        insert into country_codes values ('GB', 'United Kingdom'), ('US', 'United States');
        create table orders (order_id integer, order_date date, country varchar, amount decimal(10,2));
        insert into orders values (1, date '2024-01-05', 'GB', 10.00), (2, date '2024-02-10', 'US', 20.00), (3, date '2024-02-11', 'US', 30.00);
        create table payments (payment_id integer, order_id integer, paid decimal(10,2));
        insert into payments values (1, 1, 10.00), (2, 2, 5.00), (3, 2, 15.00);
        """;

    private const string Models = """
        version: 2
        models:
          - name: orders
            meta:
              joins:
                - join: country_codes
                  sql_on: ${orders.country} = ${country_codes.code}
                  relationship: many-to-one
            columns:
              - name: order_id
                meta:
                  dimension: {type: number}
                  metrics:
                    order_count: {type: count_distinct}
              - name: order_date
                meta:
                  dimension:
                    type: date
                    time_intervals: [DAY, MONTH, fiscal_quarter]
              - name: country
                meta:
                  dimension: {type: string}
              - name: amount
                meta:
                  dimension: {type: number}
                  metrics:
                    total_amount: {type: sum}
          - name: payments
            meta:
              joins:
                - join: orders
                  sql_on: ${payments.order_id} = ${orders.order_id}
                  relationship: many-to-one
            columns:
              - name: payment_id
                meta:
                  dimension: {type: number}
              - name: order_id
                meta:
                  dimension: {type: number}
              - name: paid
                meta:
                  metrics:
                    total_paid: {type: sum}
        """;

    private const string Seeds = """
        version: 2
        seeds:
          - name: country_codes
            description: ISO country codes
            columns:
              - name: code
                meta:
                  dimension: {type: string, label: Country code}
              - name: country_name
                meta:
                  dimension: {type: string}
        """;

    // The project's config defines no fiscal_quarter (yet).
    private const string Config = """
        spotlight:
          default_visibility: show
        """;

    private static readonly (string File, string Content)[] Files =
        [("models/schema.yml", Models), ("seeds/country_codes.yml", Seeds), ("lightdash.config.yml", Config)];

    [Test]
    public void UnknownInterval_IsDroppedWithAWarningNamingIt_AndEveryExploreLoads()
    {
        var warning = Catalog.Warnings.Single(w => w.Message.Contains("fiscal_quarter", StringComparison.Ordinal));

        Assert.That((warning.File, warning.Model, warning.Field), Is.EqualTo(("models/schema.yml", "orders", "order_date")));
        Assert.That(warning.Message, Does.StartWith("Ignoring unknown time interval \"fiscal_quarter\""));
        Assert.That(Catalog.Explores.Keys, Is.EquivalentTo(new[] { "orders", "payments" }), "the seed has no explore of its own");
        Assert.That(Catalog.Explores["orders"].Fields.Keys, Does.Contain("orders_order_date_month").And.Not.Contain("orders_order_date_fiscal_quarter"));
    }

    [Test]
    public async Task Seed_IsJoinedLikeAModel()
    {
        var rows = await RunAsync(new MetricQuery(
            "orders", ["country_codes_country_name"], ["orders_total_amount", "orders_order_count"], null, null, [new SortField("country_codes_country_name", false)], 500));

        Assert.That(rows.Select(r => r.GetProperty("country_codes_country_name").GetString()), Is.EqualTo(new[] { "United Kingdom", "United States" }));
        Assert.That(rows.Select(r => Number(r, "orders_total_amount")), Is.EqualTo(new[] { 10m, 50m }));
        Assert.That(Catalog.Explores["orders"].Fields["country_codes_code"].Label, Is.EqualTo("Country code"));
    }

    [Test]
    public async Task AnExploreJoiningTheModelWithTheUnknownInterval_StillRuns()
    {
        var rows = await RunAsync(new MetricQuery("payments", ["orders_order_date_month"], ["payments_total_paid"], null, null, [new SortField("orders_order_date_month", false)], 500), "payments");

        Assert.That(rows.Select(r => Number(r, "payments_total_paid")), Is.EqualTo(new[] { 10m, 20m }));
    }
}
