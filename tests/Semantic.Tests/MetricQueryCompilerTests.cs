using System.Text;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Semantic.Tests;

/// <summary>The compiler's SQL run for real on PostgreSQL and on DuckDB, over the same small shop, with known answers.</summary>
[TestFixture("postgres")]
[TestFixture("duckdb")]
[Category(TestCategories.Integration)]
public class MetricQueryCompilerTests(string warehouse) : WarehouseShop(warehouse, Data, [("shop.yml", Models)])
{
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
                gift_orders:
                  type: count
                  filters: [{is_gift: true}]
                revenue_per_order:
                  type: number
                  sql: ${total_revenue} / ${order_count}
            columns:
              - name: order_id
                meta: {dimension: {type: number}}
              - name: customer_id
                meta: {dimension: {type: number}}
              - name: order_date
                meta: {dimension: {type: date}}
              - name: status
              - name: is_gift
                meta: {dimension: {type: boolean}}
              - name: amount
                meta:
                  dimension: {type: number}
                  metrics:
                    total_revenue: {type: sum}
                    median_amount: {type: median}
                    p90_amount: {type: percentile, percentile: 90}
                    largest: {type: max}
                    smallest: {type: min}
                    average_amount: {type: average}
                    shipped_revenue:
                      type: sum
                      filters:
                        - status: shipped
          - name: customers
            meta:
              joins:
                - join: orders
                  sql_on: ${customers.customer_id} = ${orders.customer_id}
                  relationship: one-to-many
              metrics:
                vip_points: {type: sum, sql: "${TABLE}.points"}
            columns:
              - name: customer_id
                meta:
                  dimension: {type: number}
                  metrics:
                    customer_count: {type: count_distinct}
              - name: country
              - name: points
                meta: {dimension: {type: number}}
        """;

    private const string Data = """
        create table customers (customer_id integer, country varchar, points integer);
        insert into customers values (1, 'GB', 10), (2, 'US', 20), (3, 'GB', 30);
        create table orders (order_id integer, customer_id integer, order_date date, status varchar, amount decimal(10,2), is_gift boolean);
        insert into orders values
          (1, 1, date '2024-01-05', 'placed', 10.00, false),
          (2, 1, date '2024-01-20', 'shipped', 20.00, true),
          (3, 2, date '2024-02-03', 'shipped', 30.00, false),
          (4, 2, date '2024-02-10', 'returned', 40.00, false),
          (5, 3, date '2024-03-01', 'placed', 50.00, true),
          (6, 3, date '2024-03-15', 'O''Brien''s \ order', 60.00, false);
        """;

    private static readonly string[] InjectionStrings =
    [
        "'; drop table orders; --",
        "\\'; drop table orders; --",
        "' or '1'='1",
        "%_\\",
        "$$; drop table orders; $$",
        "\") or 1=1 --",
        "O'Brien's \\ order",
    ];

    private static MetricQuery Query(string[] dimensions, string[] metrics, FilterGroup? where = null, FilterGroup? having = null, SortField[]? sorts = null, int limit = 500) =>
        new("orders", dimensions, metrics, where, having, sorts ?? [], limit);

    private static FilterGroup And(params FilterNode[] items) => new("and", items);

    private static FilterRule Rule(string field, string op, params object[] values) =>
        new(field, op, values.Select(v => new FilterValue(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!, v is string)).ToList());


    [Test]
    public async Task GroupsByDimension_AndAggregatesMetrics()
    {
        var rows = await RunAsync(Query(["orders_status"], ["orders_total_revenue", "orders_order_count"], sorts: [new SortField("orders_total_revenue", true)]));

        Assert.That(rows.Select(r => (r.GetProperty("orders_status").GetString(), Number(r, "orders_total_revenue"), Number(r, "orders_order_count"))), Is.EquivalentTo(new[]
        {
            ("placed", 60m, 2m), ("O'Brien's \\ order", 60m, 1m), ("shipped", 50m, 2m), ("returned", 40m, 1m),
        }));
        Assert.That(rows.Select(r => Number(r, "orders_total_revenue")), Is.Ordered.Descending, "sorted by revenue");
    }

    [Test]
    public async Task DateIntervals_TruncateToTheMonth()
    {
        var rows = await RunAsync(Query(["orders_order_date_month"], ["orders_total_revenue"], sorts: [new SortField("orders_order_date_month", false)]));

        Assert.That(rows.Select(r => (r.GetProperty("orders_order_date_month").GetString(), Number(r, "orders_total_revenue"))), Is.EqualTo(new[]
        {
            ("2024-01-01", 30m), ("2024-02-01", 70m), ("2024-03-01", 110m),
        }));
    }

    [TestCase("orders_order_date_day", "2024-01-05")]
    [TestCase("orders_order_date_week", "2024-01-01")]
    [TestCase("orders_order_date_quarter", "2024-01-01")]
    [TestCase("orders_order_date_year", "2024-01-01")]
    public async Task DateIntervals_EachTruncates(string field, string firstValue)
    {
        var rows = await RunAsync(Query([field], ["orders_order_count"], sorts: [new SortField(field, false)]));

        Assert.That(rows[0].GetProperty(field).GetString(), Is.EqualTo(firstValue));
        Assert.That(rows.Sum(r => Number(r, "orders_order_count")), Is.EqualTo(6));
    }

    [Test]
    public async Task MinAverageAndFilteredMetrics()
    {
        var row = (await RunAsync(Query([], ["orders_smallest", "orders_average_amount", "orders_shipped_revenue", "orders_gift_orders"]))).Single();

        Assert.That(Number(row, "orders_smallest"), Is.EqualTo(10m));
        Assert.That(Number(row, "orders_average_amount"), Is.EqualTo(35m));
        Assert.That(Number(row, "orders_shipped_revenue"), Is.EqualTo(50m), "only shipped orders count");
        Assert.That(Number(row, "orders_gift_orders"), Is.EqualTo(2m), "only gift orders count");
    }

    [Test]
    public async Task JoinedDimension_ManyToOne_KeepsBaseMetricsExact()
    {
        var rows = await RunAsync(Query(["customers_country"], ["orders_total_revenue"], sorts: [new SortField("customers_country", false)]));

        Assert.That(rows.Select(r => (r.GetProperty("customers_country").GetString(), Number(r, "orders_total_revenue"))), Is.EqualTo(new[] { ("GB", 140m), ("US", 70m) }));
    }

    [Test]
    public void FanOut_InflatingJoin_IsRefusedNamingTheJoin()
    {
        var query = new MetricQuery("customers", ["orders_status"], ["customers_vip_points"], null, null, [], 500);

        var error = Assert.Throws<MetricQueryException>(() => Compiler.Compile(Catalog.Explores["customers"], query));

        Assert.That(error!.Message, Does.Contain("join to orders").And.Contain("customers_vip_points"));
    }

    [Test]
    public async Task FanOut_DistinctCount_IsExactAndAllowed()
    {
        var query = new MetricQuery("customers", ["orders_status"], ["customers_customer_count"], null, null, [new SortField("orders_status", false)], 500);

        var rows = await RunAsync(query, "customers");

        Assert.That(rows.Single(r => r.GetProperty("orders_status").GetString() == "shipped").GetProperty("customers_customer_count").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task NumberMedianAndPercentileMetrics()
    {
        var row = (await RunAsync(Query([], ["orders_revenue_per_order", "orders_median_amount", "orders_p90_amount", "orders_largest"]))).Single();

        Assert.That(Number(row, "orders_revenue_per_order"), Is.EqualTo(35m));
        Assert.That(Number(row, "orders_median_amount"), Is.EqualTo(35m));
        Assert.That(Number(row, "orders_p90_amount"), Is.EqualTo(55m));
        Assert.That(Number(row, "orders_largest"), Is.EqualTo(60m));
    }

    [TestCase("equals", new object[] { "shipped" }, 50)]
    [TestCase("equals", new object[] { "shipped", "placed" }, 110)]
    [TestCase("notEquals", new object[] { "shipped" }, 160)]
    [TestCase("startsWith", new object[] { "pl" }, 60)]
    [TestCase("endsWith", new object[] { "ed" }, 150)]
    [TestCase("include", new object[] { "BRIEN" }, 60)]
    [TestCase("doesNotInclude", new object[] { "i" }, 100)]
    [TestCase("isNull", new object[0], 0)]
    [TestCase("notNull", new object[0], 210)]
    public async Task StringFilters(string op, object[] values, int expectedRevenue)
    {
        var rows = await RunAsync(Query([], ["orders_total_revenue"], where: And(Rule("orders_status", op, values))));

        var revenue = rows.Single().GetProperty("orders_total_revenue");
        Assert.That(revenue.ValueKind == JsonValueKind.Null ? 0 : revenue.GetDecimal(), Is.EqualTo(expectedRevenue));
    }

    [TestCase("lessThan", new object[] { 30 }, 30)]
    [TestCase("lessThanOrEqual", new object[] { 30 }, 60)]
    [TestCase("greaterThan", new object[] { 40.5 }, 110)]
    [TestCase("greaterThanOrEqual", new object[] { 50 }, 110)]
    [TestCase("inBetween", new object[] { 20, 40 }, 90)]
    [TestCase("notInBetween", new object[] { 20, 40 }, 120)]
    public async Task NumberFilters(string op, object[] values, int expectedRevenue)
    {
        var rows = await RunAsync(Query([], ["orders_total_revenue"], where: And(Rule("orders_amount", op, values))));

        Assert.That(Number(rows.Single(), "orders_total_revenue"), Is.EqualTo(expectedRevenue));
    }

    [Test]
    public async Task DateAndBooleanFilters_AndOrGroups()
    {
        var where = new FilterGroup("or", [
            And(Rule("orders_order_date", "inBetween", "2024-02-01", "2024-02-28"), Rule("orders_is_gift", "equals", false)),
            Rule("orders_order_id", "equals", 6),
        ]);

        var rows = await RunAsync(Query([], ["orders_total_revenue"], where: where));

        Assert.That(Number(rows.Single(), "orders_total_revenue"), Is.EqualTo(130m));
    }

    [Test]
    public async Task RelativeDateFilters_UseTheCurrentDate()
    {
        var past = new FilterRule("orders_order_date", "inThePast", [new FilterValue("100", false)], "years");
        var next = new FilterRule("orders_order_date", "inTheNext", [new FilterValue("1", false)], "days", Completed: true);
        var current = new FilterRule("orders_order_date", "inTheCurrent", [], "months");
        var inPast = await RunAsync(Query([], ["orders_order_count"], where: And(past)));
        // Rows that must match (today, tomorrow) and one that must not (the day after), so that a
        // filter compiled to FALSE fails here.
        var today = DateTime.UtcNow.Date;
        await ExecuteDataAsync($"""
            insert into orders values
              (101, 1, date '{today:yyyy-MM-dd}', 'today', 1.00, false),
              (102, 1, date '{today.AddDays(1):yyyy-MM-dd}', 'tomorrow', 1.00, false),
              (103, 1, date '{today.AddDays(2):yyyy-MM-dd}', 'after tomorrow', 1.00, false)
            """);
        try
        {
            var inNext = await RunAsync(Query(["orders_status"], ["orders_order_count"], where: And(next)));
            var inCurrent = await RunAsync(Query(["orders_status"], ["orders_order_count"], where: And(current)));

            Assert.That(Number(inPast.Single(), "orders_order_count"), Is.EqualTo(6));
            Assert.That(inNext.Select(r => r.GetProperty("orders_status").GetString()), Is.EqualTo(new[] { "tomorrow" }));
            Assert.That(
                inCurrent.Select(r => r.GetProperty("orders_status").GetString()),
                Is.SupersetOf(new[] { "today" }).And.Not.Contains("placed"),
                "this month's rows (tomorrow and the day after too, when still this month), none of 2024");
        }
        finally
        {
            await ExecuteDataAsync("delete from orders where order_id > 100");
        }
    }

    [Test]
    public async Task MetricFilters_GoInHaving()
    {
        var rows = await RunAsync(Query(["orders_status"], ["orders_total_revenue"], having: And(Rule("orders_total_revenue", "greaterThan", 55))));

        Assert.That(rows.Select(r => r.GetProperty("orders_status").GetString()), Is.EquivalentTo(new[] { "placed", "O'Brien's \\ order" }));
    }

    [Test]
    public async Task InjectionStrings_ThroughEveryStringOperator_AreOnlyValues()
    {
        foreach (var op in new[] { "equals", "notEquals", "startsWith", "endsWith", "include", "doesNotInclude" })
        {
            foreach (var text in InjectionStrings)
            {
                var rows = await RunAsync(Query(["orders_status"], ["orders_order_count"], where: And(Rule("orders_status", op, text))));
                var expected = op switch
                {
                    "equals" or "startsWith" or "endsWith" or "include" => text == "O'Brien's \\ order" ? 1 : 0,
                    _ => text == "O'Brien's \\ order" ? 3 : 4,
                };
                Assert.That(rows, Has.Count.EqualTo(expected), $"{op} {text}");
            }
        }

        Assert.That((await RunSqlAsync("select count(*) as n from orders")).Single().GetProperty("n").GetInt64(), Is.EqualTo(6), "the table is still there");
    }

    [Test]
    public async Task TableCalculations_RunOverTheGroupedResult()
    {
        var query = Query(["orders_order_date_month"], ["orders_total_revenue"], sorts: [new SortField("orders_order_date_month", false)]) with
        {
            TableCalculations =
            [
                new TableCalculation("running_total", "Running total", "SUM(${orders.total_revenue}) OVER (ORDER BY ${orders.order_date_month})"),
                new TableCalculation("share", "Share", "${orders_total_revenue} / SUM(${orders_total_revenue}) OVER ()"),
            ],
        };

        var rows = await RunAsync(query);

        Assert.That(rows.Select(r => Number(r, "running_total")), Is.EqualTo(new[] { 30m, 100m, 210m }));
        Assert.That(Math.Round(Number(rows[2], "share"), 4), Is.EqualTo(Math.Round(110m / 210m, 4)));
    }

    [Test]
    public void TableCalculations_ReferToSelectedFieldsOnly()
    {
        var query = Query(["orders_status"], ["orders_total_revenue"]) with
        {
            TableCalculations = [new TableCalculation("sneaky", "Sneaky", "${orders.amount} * 2")],
        };

        Assert.That(() => Compiler.Compile(Catalog.Explores["orders"], query), Throws.TypeOf<MetricQueryException>().With.Message.Contains("orders_amount"));
    }

    [TestCase("orders_amount", "equals")]
    [TestCase("orders_amount", "notEquals")]
    [TestCase("orders_amount", "lessThan")]
    [TestCase("orders_amount", "lessThanOrEqual")]
    [TestCase("orders_amount", "greaterThan")]
    [TestCase("orders_amount", "greaterThanOrEqual")]
    [TestCase("orders_amount", "inBetween")]
    [TestCase("orders_amount", "notInBetween")]
    [TestCase("orders_order_date", "equals")]
    [TestCase("orders_order_date", "inBetween")]
    [TestCase("orders_is_gift", "equals")]
    [TestCase("orders_order_date", "inThePast")]
    [TestCase("orders_order_date", "notInThePast")]
    [TestCase("orders_order_date", "inTheNext")]
    public void InjectionStrings_ThroughTypedOperators_AreRefusedAsValues(string field, string op)
    {
        foreach (var text in InjectionStrings)
        {
            var values = op is "inBetween" or "notInBetween" ? new[] { text, text } : new[] { text };
            var rule = new FilterRule(field, op, values.Select(v => new FilterValue(v, true)).ToList(), UnitOfTime: "days");

            Assert.That(
                () => Compiler.Compile(Catalog.Explores["orders"], Query([], ["orders_order_count"], where: And(rule))),
                Throws.TypeOf<MetricQueryException>().With.Message.Contains(field),
                $"{op} {text}");
        }
    }

    [TestCase("inTheCurrent")]
    [TestCase("notInTheCurrent")]
    [TestCase("inPeriodToDate")]
    public void RelativeDates_UnknownUnitOfTime_IsRefused(string op)
    {
        var rule = new FilterRule("orders_order_date", op, [], UnitOfTime: "days'); drop table orders; --");

        Assert.That(
            () => Compiler.Compile(Catalog.Explores["orders"], Query([], ["orders_order_count"], where: And(rule))),
            Throws.TypeOf<MetricQueryException>().With.Message.Contains("unitOfTime"));
    }

    [Test]
    public void Errors_NameTheFieldOperatorOrValue()
    {
        var explore = Catalog.Explores["orders"];

        Assert.That(() => Compiler.Compile(explore, Query(["orders_nope"], [])), Throws.TypeOf<MetricQueryException>().With.Message.Contains("orders_nope"));
        Assert.That(() => Compiler.Compile(explore, Query(["orders_total_revenue"], [])), Throws.TypeOf<MetricQueryException>().With.Message.Contains("is a metric"));
        Assert.That(() => Compiler.Compile(explore, Query([], ["orders_total_revenue"], where: And(Rule("orders_status", "resembles", "x")))),
            Throws.TypeOf<MetricQueryException>().With.Message.Contains("resembles"));
        Assert.That(() => Compiler.Compile(explore, Query([], ["orders_total_revenue"], where: And(Rule("orders_amount", "equals", "ten")))),
            Throws.TypeOf<MetricQueryException>().With.Message.Contains("\"ten\"").And.Message.Contains("not a number"));
        Assert.That(() => Compiler.Compile(explore, Query([], ["orders_total_revenue"], where: And(Rule("orders_amount", "startsWith", "1")))),
            Throws.TypeOf<MetricQueryException>().With.Message.Contains("applies to text"));
        Assert.That(() => Compiler.Compile(explore, Query(["orders_status"], ["orders_total_revenue"], sorts: [new SortField("orders_amount", true)])),
            Throws.TypeOf<MetricQueryException>().With.Message.Contains("not selected"));
        Assert.That(() => Compiler.Compile(explore, Query([], ["orders_total_revenue"], where: And(Rule("orders_status", "equals", "nul\0byte")))),
            Throws.TypeOf<MetricQueryException>().With.Message.Contains("NUL"));
    }
}
