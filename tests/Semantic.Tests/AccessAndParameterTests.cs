using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Semantic.Tests;

/// <summary>
/// Parameters, user variables, row filters and attribute-based access, compiled and run on
/// PostgreSQL and DuckDB: values are always literals (injection strings included), two users with
/// different attributes see different rows, and a field or explore their attributes do not allow is
/// refused naming it.
/// </summary>
[TestFixture("postgres")]
[TestFixture("duckdb")]
[Category(TestCategories.Integration)]
public class AccessAndParameterTests(string warehouse) : WarehouseShop(warehouse, Data, Files)
{
    private const string Models = """
        models:
          - name: orders
            meta:
              metrics:
                order_count: {type: count}
                margin_total:
                  type: sum
                  sql: ${TABLE}.margin
                  any_attributes: {is_admin: "true", team: [finance, exec]}
              parameters:
                min_amount:
                  default: "0"
                  allow_custom_values: true
            columns:
              - name: order_id
                meta: {dimension: {type: number}}
              - name: region
              - name: status
              - name: owner_email
              - name: amount
                meta:
                  dimension: {type: number}
                  metrics:
                    total_amount: {type: sum}
              - name: margin
                meta:
                  dimension:
                    type: number
                    required_attributes: {is_admin: "true"}
              - name: in_statuses
                meta:
                  dimension:
                    type: boolean
                    sql: ${TABLE}.status IN (${lightdash.parameters.statuses})
              - name: matches_text
                meta:
                  dimension:
                    type: boolean
                    sql: ${TABLE}.status = ${ld.parameters.free_text}
              - name: is_mine
                meta:
                  dimension:
                    type: boolean
                    sql: ${TABLE}.owner_email = ${ld.user.email}
              - name: big
                meta:
                  dimension:
                    type: boolean
                    sql: ${TABLE}.amount >= CAST(${lightdash.parameters.orders.min_amount} AS INTEGER)
          - name: regional_orders
            meta:
              sql_from: orders
              sql_filter: ${TABLE}.region = ${ld.attr.region}
            columns:
              - name: order_id
                meta: {dimension: {type: number}}
              - name: region
          - name: board_only
            meta:
              sql_from: orders
              required_attributes: {is_admin: "true"}
            columns:
              - name: region
        """;

    private const string Config = """
        parameters:
          statuses:
            label: Statuses
            options: [placed, shipped, completed]
            multiple: true
          free_text:
            allow_custom_values: true
        """;

    private const string Data = """
        create table orders (order_id integer, region varchar, status varchar, owner_email varchar, amount integer, margin integer);
        insert into orders values
          (1, 'EU', 'placed', 'ada@example.com', 10, 1),
          (2, 'EU', 'shipped', 'alan@example.com', 20, 2),
          (3, 'US', 'completed', 'ada@example.com', 30, 3),
          (4, 'US', 'returned', 'grace@example.com', 40, 4);
        """;

    private static readonly (string File, string Content)[] Files = [("shop.yml", Models), (ModelFileLoader.ConfigFileName, Config)];

    private static readonly QueryUser Ada = new(Guid.NewGuid(), "ada@example.com", new Dictionary<string, string> { ["region"] = "EU", ["team"] = "finance" });
    private static readonly QueryUser Grace = new(Guid.NewGuid(), "grace@example.com", new Dictionary<string, string> { ["region"] = "US", ["is_admin"] = "true" });
    private static readonly QueryUser Nobody = new(Guid.NewGuid(), "nobody@example.com", new Dictionary<string, string>());

    private static QueryVariables As(QueryUser user, params (string Name, string[] Values)[] parameters) =>
        new(parameters.ToDictionary(p => p.Name, p => (IReadOnlyList<string>)p.Values), user);

    private static MetricQuery Query(string explore, string[] dimensions, string[] metrics) =>
        new(explore, dimensions, metrics, null, null, [new SortField(dimensions.FirstOrDefault() ?? metrics[0], false)], 100);

    private Task<List<JsonElement>> RunAsync(MetricQuery query, QueryVariables variables) =>
        RunSqlAsync(Compiler.Compile(Catalog.Explores[query.ExploreName], query, variables).Sql);

    [Test]
    public void Loads_TheParametersOfTheConfigAndTheModels()
    {
        Assert.That(Catalog.Errors.Concat(Catalog.Warnings), Is.Empty, string.Join("\n", Catalog.Errors.Concat(Catalog.Warnings)));
        Assert.That(Catalog.Parameters!.Keys, Is.EquivalentTo(new[] { "statuses", "free_text", "orders.min_amount" }));
        Assert.That(Catalog.Parameters["statuses"].Multiple, Is.True);
        Assert.That(Catalog.Parameters["orders.min_amount"].Default, Is.EqualTo(new[] { "0" }));
    }

    [Test]
    public async Task MultipleParameter_BecomesAListOfLiterals()
    {
        var rows = await RunAsync(Query("orders", ["orders_in_statuses"], ["orders_order_count"]), As(Ada, ("statuses", ["placed", "completed"])));

        Assert.That(rows.Select(r => (r.GetProperty("orders_in_statuses").GetBoolean(), Number(r, "orders_order_count"))), Is.EqualTo(new[] { (false, 2m), (true, 2m) }));
    }

    [TestCase("'; drop table orders; --")]
    [TestCase("' or '1'='1")]
    [TestCase("\\'; select 1; --")]
    [TestCase("$$; drop table orders; $$")]
    [TestCase("${orders.amount}")]
    [TestCase("${ld.user.email}")]
    [TestCase("shipped")]
    public async Task ParameterValues_AreOnlyLiterals(string value)
    {
        var rows = await RunAsync(Query("orders", ["orders_matches_text"], ["orders_order_count"]), As(Ada, ("free_text", [value])));

        var matching = rows.Where(r => r.GetProperty("orders_matches_text").GetBoolean()).Sum(r => Number(r, "orders_order_count"));
        Assert.That(matching, Is.EqualTo(value == "shipped" ? 1m : 0m));
        Assert.That(rows.Sum(r => Number(r, "orders_order_count")), Is.EqualTo(4m), "the table is still there");
    }

    [Test]
    public async Task ModelParameter_AndUserEmail()
    {
        var rows = await RunAsync(Query("orders", ["orders_big", "orders_is_mine"], ["orders_order_count"]), As(Ada, ("orders.min_amount", ["25"])));

        Assert.That(rows.Select(r => (r.GetProperty("orders_big").GetBoolean(), r.GetProperty("orders_is_mine").GetBoolean(), Number(r, "orders_order_count"))), Is.EquivalentTo(new[]
        {
            (false, true, 1m), (false, false, 1m), (true, true, 1m), (true, false, 1m),
        }));
    }

    [Test]
    public async Task RowFilter_GivesEachUserTheirRegion_AndCannotBeDropped()
    {
        var query = Query("regional_orders", ["regional_orders_order_id"], []);

        var ada = await RunAsync(query, As(Ada));
        var grace = await RunAsync(query, As(Grace));

        Assert.That(ada.Select(r => r.GetProperty("regional_orders_order_id").GetInt32()), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(grace.Select(r => r.GetProperty("regional_orders_order_id").GetInt32()), Is.EqualTo(new[] { 3, 4 }));
        var orFilter = new FilterGroup("or", [new FilterRule("regional_orders_region", "equals", [new FilterValue("US", true)]), new FilterRule("regional_orders_region", "notNull", [])]);
        var widened = await RunAsync(query with { DimensionFilters = orFilter }, As(Ada));
        Assert.That(widened.Select(r => r.GetProperty("regional_orders_order_id").GetInt32()), Is.EqualTo(new[] { 1, 2 }), "the caller's filters add to the row filter, never replace it");
    }

    [Test]
    public void RowFilter_WithoutTheAttribute_IsRefused()
    {
        var error = Assert.Throws<AccessDeniedException>(() => Compiler.Compile(Catalog.Explores["regional_orders"], Query("regional_orders", ["regional_orders_order_id"], []), As(Nobody)));

        Assert.That(error!.Message, Does.Contain("region"));
    }

    [Test]
    public async Task RequiredAndAnyAttributes_DecideWhoMayUseAField()
    {
        Assert.That(
            () => Compiler.Compile(Catalog.Explores["orders"], Query("orders", ["orders_margin"], []), As(Ada)),
            Throws.TypeOf<AccessDeniedException>().With.Message.Contains("orders_margin"));
        var filterOnIt = Query("orders", ["orders_region"], ["orders_order_count"]) with
        {
            DimensionFilters = new FilterGroup("and", [new FilterRule("orders_margin", "greaterThan", [new FilterValue("1", false)])]),
        };
        Assert.That(() => Compiler.Compile(Catalog.Explores["orders"], filterOnIt, As(Ada)), Throws.TypeOf<AccessDeniedException>(), "filters cannot test a field the caller may not see");

        var adaMargin = await RunAsync(Query("orders", [], ["orders_margin_total"]), As(Ada)); // team finance: one of any_attributes
        var graceMargin = await RunAsync(Query("orders", ["orders_margin"], ["orders_margin_total"]), As(Grace));
        Assert.That(Number(adaMargin.Single(), "orders_margin_total"), Is.EqualTo(10m));
        Assert.That(graceMargin, Has.Count.EqualTo(4));
        Assert.That(
            () => Compiler.Compile(Catalog.Explores["orders"], Query("orders", [], ["orders_margin_total"]), As(Nobody)),
            Throws.TypeOf<AccessDeniedException>().With.Message.Contains("orders_margin_total"));
    }

    [Test]
    public void ModelAttributes_GuardTheWholeExplore()
    {
        Assert.That(
            () => Compiler.Compile(Catalog.Explores["board_only"], Query("board_only", ["board_only_region"], []), As(Ada)),
            Throws.TypeOf<AccessDeniedException>().With.Message.Contains("board_only"));
        Assert.That(() => Compiler.Compile(Catalog.Explores["board_only"], Query("board_only", ["board_only_region"], []), As(Grace)), Throws.Nothing);
    }

    [Test]
    public void UnsetParameter_IsA400NamingIt()
    {
        Assert.That(
            () => Compiler.Compile(Catalog.Explores["orders"], Query("orders", ["orders_in_statuses"], []), As(Ada)),
            Throws.TypeOf<MetricQueryException>().With.Message.Contains("statuses"));
    }

    [Test]
    public void UndefinedParameterInAModel_IsALoadError()
    {
        var catalog = ModelFileLoader.Load([("m.yml", "models:\n  - name: m\n    columns:\n      - name: x\n        meta: {dimension: {sql: \"${ld.parameters.nope}\"}}\n")]);

        Assert.That(catalog.Errors.Single().Message, Does.Contain("parameter nope"));
    }
}
