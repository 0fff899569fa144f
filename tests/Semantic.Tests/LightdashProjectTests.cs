using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Semantic.Tests;

/// <summary>
/// A project written the way Lightdash's own demo project writes its model files: doc blocks,
/// <c>meta</c> and <c>config.meta</c>, joins, post-calculation metrics with spreadsheet formats,
/// named time intervals and a custom granularity from <c>lightdash.config.yml</c>, additional
/// dimensions, an extra explore, default time dimensions, and the settings clients show (groups,
/// urls, colors, spotlight). It loads with no error and no warning, and its fields run on
/// PostgreSQL and DuckDB with hand-computed answers.
/// </summary>
[TestFixture("postgres")]
[TestFixture("duckdb")]
[Category(TestCategories.Integration)]
public partial class LightdashProjectTests(string warehouse) : WarehouseShop(warehouse, Data, Files)
{
    private const string Orders = """
        version: 2
        models:
          - name: orders
            description: |
              One row per order.

              {{ doc("orders_status") }}
            config:
              meta:
                primary_key: order_id
                spotlight:
                  categories: [sales]
                joins:
                  - join: customers
                    sql_on: ${customers.customer_id} = ${orders.customer_id}
                    relationship: many-to-one
                    label: Order customer
                    description: Who placed the order
                metrics:
                  completion_share:
                    type: number
                    sql: ${total_completed_amount} / ${total_amount}
                    format: percent
                    groups: [finance]
                default_time_dimension:
                  field: order_date
                  interval: MONTH
                explores:
                  orders_with_names:
                    label: Orders with customer names
                    additional_dimensions:
                      full_name:
                        type: string
                        sql: "CONCAT(${customers.first_name}, ' ', ${customers.last_name})"
                        label: Customer full name
            columns:
              - name: order_id
                description: The order's id
                meta:
                  dimension:
                    type: number
                    urls:
                      - label: Open in the shop
                        url: "https://shop.example/orders/${value.raw}"
                  metrics:
                    order_count:
                      type: count_distinct
                      spotlight:
                        categories: [growth]
              - name: customer_id
                meta:
                  dimension: {type: number, hidden: true}
              - name: is_completed
                meta:
                  dimension: {type: boolean}
              - name: status
                description: '{{ doc("orders_status") }}'
                config:
                  meta:
                    dimension:
                      colors:
                        completed: "#00FF00"
                        returned: "#FF0000"
                      filter_autocomplete:
                        values: [completed, placed, returned]
                meta:
                  dimension:
                    type: string
              - name: order_date
                config:
                  meta:
                    dimension:
                      time_intervals: [DAY, MONTH, YEAR, MONTH_NAME, DAY_OF_WEEK_NAME, QUARTER_NAME, MONTH_NUM, DAY_OF_WEEK_INDEX, fiscal_year]
                meta:
                  dimension:
                    type: date
                  metrics:
                    first_order: {type: min}
              - name: placed_at
                meta:
                  dimension:
                    type: timestamp
                    time_intervals: [HOUR, HOUR_OF_DAY_NUM, DAY]
                  additional_dimensions:
                    placed:
                      type: timestamp
                      sql: ${TABLE}.placed_at
                      time_intervals: [MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR, YEAR_NUM, QUARTER_NUM, MONTH_NUM, WEEK_NUM, DAY_OF_YEAR_NUM, DAY_OF_MONTH_NUM, DAY_OF_WEEK_INDEX, HOUR_OF_DAY_NUM, MINUTE_OF_HOUR_NUM, MONTH_NAME, DAY_OF_WEEK_NAME, QUARTER_NAME]
              - name: shipping_cost
                meta:
                  dimension: {type: number, format: usd}
              - name: amount
                config:
                  meta:
                    dimension:
                      format: usd
                      round: 2
                    additional_dimensions:
                      amount_band:
                        type: string
                        sql: "CASE WHEN ${amount} >= 40 THEN 'large' ELSE 'small' END"
                        groups: [bands]
                      amount_plus_shipping:
                        type: number
                        sql: ${TABLE}.amount + ${shipping_cost}
                    metrics:
                      total_amount:
                        type: sum
                        format: usd
                        default_time_dimension: {field: order_date, interval: DAY}
                      total_completed_amount:
                        type: sum
                        filters:
                          - is_completed: "true"
                      amount_percent_of_total:
                        type: percent_of_total
                        sql: ${total_amount}
                        format: "#,##0.00%"
                      amount_running_total:
                        type: running_total
                        sql: ${total_amount}
                        format: "$#,##0.00"
                      amount_percent_of_previous:
                        type: percent_of_previous
                        sql: ${total_amount}
                        format: "#,##0.0%"
                meta:
                  dimension:
                    type: number
        """;

    private const string Customers = """
        version: 2
        models:
          - name: customers
            description: '{{ doc("customers") }}'
            meta:
              group_label: People
            columns:
              - name: customer_id
                meta:
                  dimension: {type: number}
                  metrics:
                    customer_count: {type: count_distinct}
              - name: first_name
              - name: last_name
        """;

    private const string Docs = """
        {% docs orders_status %}
        Orders are placed, then completed or returned.
        {% enddocs %}

        {% docs customers %}
        One row per customer.
        {% enddocs %}
        """;

    private const string Config = """
        custom_granularities:
          fiscal_year:
            label: Fiscal year
            sql: "CONCAT('FY', CAST(EXTRACT(YEAR FROM ${COLUMN} + INTERVAL '3 month') AS INTEGER))"
            type: string
        """;

    private const string Data = """
        create table customers (customer_id integer, first_name varchar, last_name varchar);
        insert into customers values (1, 'Ada', 'Lovelace'), (2, 'Alan', 'Turing'), (3, 'Grace', 'Hopper');
        create table orders (order_id integer, customer_id integer, order_date date, placed_at timestamp, status varchar, amount decimal(10,2), shipping_cost decimal(10,2), is_completed boolean);
        insert into orders values
          (1, 1, date '2024-01-05', timestamp '2024-01-05 09:15:00', 'completed', 10.00, 1.00, true),
          (2, 1, date '2024-01-20', timestamp '2024-01-20 14:30:00', 'placed', 20.00, 2.00, false),
          (3, 2, date '2024-02-03', timestamp '2024-02-03 09:45:00', 'completed', 30.00, 3.00, true),
          (4, 2, date '2024-04-10', timestamp '2024-04-10 18:05:00', 'returned', 40.00, 4.00, false),
          (5, 3, date '2024-07-01', timestamp '2024-07-01 09:00:00', 'completed', 50.00, 5.00, true),
          (6, 3, date '2024-10-15', timestamp '2024-10-15 23:59:00', 'completed', 60.00, 6.00, true);
        """;

    private static readonly (string File, string Content)[] Files =
    [
        ("models/orders.yml", Orders), ("models/customers.yml", Customers), ("models/docs.md", Docs), (ModelFileLoader.ConfigFileName, Config),
    ];

    private async Task<List<(string? Key, decimal Total)>> TotalsByAsync(string dimension, string explore = "orders")
    {
        var rows = await RunAsync(new MetricQuery(explore, [dimension], ["orders_total_amount"], null, null, [new SortField(dimension, false)], 500), explore);
        return [.. rows.Select(r => (Text(r.GetProperty(dimension)), Number(r, "orders_total_amount")))];
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };

    [Test]
    public void Loads_WithNoErrorAndNoWarning()
    {
        Assert.That(Catalog.Errors, Is.Empty, string.Join("\n", Catalog.Errors));
        Assert.That(Catalog.Warnings, Is.Empty, string.Join("\n", Catalog.Warnings));
        Assert.That(Catalog.Explores.Keys, Is.EquivalentTo(new[] { "orders", "customers", "orders_with_names" }));
    }

    [Test]
    public void DocBlocks_ReplaceTheirReferences()
    {
        Assert.That(Catalog.Explores["orders"].Description, Is.EqualTo("One row per order.\n\nOrders are placed, then completed or returned."));
        Assert.That(Catalog.Explores["orders"].Fields["orders_status"].Description, Is.EqualTo("Orders are placed, then completed or returned."));
        Assert.That(Catalog.Explores["customers"].Description, Is.EqualTo("One row per customer."));
    }

    [Test]
    public void ShownSettings_AreCarriedToTheExplore()
    {
        var orders = Catalog.Explores["orders"];

        Assert.That(orders.Presentation!["defaultTimeDimension"]!.ToJsonString(), Is.EqualTo("""{"field":"order_date","interval":"MONTH"}"""));
        Assert.That(orders.Presentation["spotlight"]!["categories"]![0]!.GetValue<string>(), Is.EqualTo("sales"));
        Assert.That(orders.Fields["orders_status"].Presentation!["colors"]!["returned"]!.GetValue<string>(), Is.EqualTo("#FF0000"));
        Assert.That(orders.Fields["orders_order_id"].Presentation!["urls"]![0]!["label"]!.GetValue<string>(), Is.EqualTo("Open in the shop"));
        Assert.That(orders.Fields["orders_amount_band"].Presentation!["groups"]![0]!.GetValue<string>(), Is.EqualTo("bands"));
        Assert.That(orders.Fields["orders_total_amount"].Presentation!["defaultTimeDimension"]!["interval"]!.GetValue<string>(), Is.EqualTo("DAY"));
        Assert.That(orders.Fields["orders_amount_percent_of_total"].Format, Is.EqualTo("#,##0.00%"));
        Assert.That(orders.Fields["orders_customer_id"].Hidden, Is.True);
        Assert.That(orders.Tables[1].Description, Is.EqualTo("Who placed the order"));
        Assert.That(Catalog.Explores["customers"].Presentation!["groupLabel"]!.GetValue<string>(), Is.EqualTo("People"));
    }

    [Test]
    public async Task NamedIntervals_MonthDayAndQuarterNames()
    {
        Assert.That(await TotalsByAsync("orders_order_date_month_name"), Is.EquivalentTo(new (string?, decimal)[]
        {
            ("January", 30m), ("February", 30m), ("April", 40m), ("July", 50m), ("October", 60m),
        }));
        Assert.That(await TotalsByAsync("orders_order_date_day_of_week_name"), Is.EquivalentTo(new (string?, decimal)[]
        {
            ("Friday", 10m), ("Saturday", 50m), ("Wednesday", 40m), ("Monday", 50m), ("Tuesday", 60m),
        }));
        Assert.That(await TotalsByAsync("orders_order_date_quarter_name"), Is.EqualTo(new (string?, decimal)[]
        {
            ("Q1", 60m), ("Q2", 40m), ("Q3", 50m), ("Q4", 60m),
        }));
    }

    [Test]
    public async Task NumberedIntervals_AndHours()
    {
        Assert.That(await TotalsByAsync("orders_order_date_month_num"), Is.EqualTo(new (string?, decimal)[] { ("1", 30m), ("2", 30m), ("4", 40m), ("7", 50m), ("10", 60m) }));
        Assert.That(await TotalsByAsync("orders_order_date_day_of_week_index"), Is.EqualTo(new (string?, decimal)[] { ("1", 50m), ("2", 60m), ("3", 40m), ("5", 10m), ("6", 50m) }));
        Assert.That(await TotalsByAsync("orders_placed_at_hour_of_day_num"), Is.EqualTo(new (string?, decimal)[] { ("9", 90m), ("14", 20m), ("18", 40m), ("23", 60m) }));
        var hours = await TotalsByAsync("orders_placed_at_hour");
        Assert.That(hours[0].Key, Does.StartWith("2024-01-05T09:00:00"));
        Assert.That(hours, Has.Count.EqualTo(6));
    }

    // Order 6 was placed on Tuesday 2024-10-15 at 23:59:00 (day 289 of the leap year, ISO week 42).
    [TestCase("millisecond", "2024-10-15T23:59:00")]
    [TestCase("second", "2024-10-15T23:59:00")]
    [TestCase("minute", "2024-10-15T23:59:00")]
    [TestCase("hour", "2024-10-15T23:00:00")]
    [TestCase("day", "2024-10-15")]
    [TestCase("week", "2024-10-14")]
    [TestCase("month", "2024-10-01")]
    [TestCase("quarter", "2024-10-01")]
    [TestCase("year", "2024-01-01")]
    [TestCase("year_num", "2024")]
    [TestCase("quarter_num", "4")]
    [TestCase("month_num", "10")]
    [TestCase("week_num", "42")]
    [TestCase("day_of_year_num", "289")]
    [TestCase("day_of_month_num", "15")]
    [TestCase("day_of_week_index", "2")]
    [TestCase("hour_of_day_num", "23")]
    [TestCase("minute_of_hour_num", "59")]
    [TestCase("month_name", "October")]
    [TestCase("day_of_week_name", "Tuesday")]
    [TestCase("quarter_name", "Q4")]
    public async Task EveryBuiltInInterval(string interval, string expected)
    {
        var field = $"orders_placed_{interval}";
        var where = new FilterGroup("and", [new FilterRule("orders_order_id", "equals", [new FilterValue("6", false)])]);

        var rows = await RunAsync(new MetricQuery("orders", [field], ["orders_total_amount"], where, null, [], 10));

        Assert.That(Text(rows.Single().GetProperty(field)), Does.StartWith(expected));
        Assert.That(Catalog.Explores["orders"].Fields[field].Type, Is.EqualTo(TimeIntervals.BuiltIn[interval]));
    }
}
