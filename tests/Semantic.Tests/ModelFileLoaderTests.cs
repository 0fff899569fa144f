namespace Lightdash.Net.Semantic.Tests;

public class ModelFileLoaderTests
{
    private const string Shop = """
        version: 2
        models:
          - name: orders
            description: One row per order
            meta:
              joins:
                - join: customers
                  sql_on: ${orders.customer_id} = ${customers.customer_id}
                  relationship: many-to-one
              metrics:
                order_count:
                  type: count
                revenue_per_order:
                  type: number
                  sql: ${total_revenue} / nullif(${order_count}, 0)
                  round: 2
            columns:
              - name: order_id
                meta:
                  dimension:
                    type: number
                  metrics:
                    unique_orders:
                      type: count_distinct
              - name: order_date
                description: When it was placed
                meta:
                  dimension:
                    type: date
              - name: amount
                meta:
                  dimension:
                    type: number
                    hidden: true
                  metrics:
                    total_revenue:
                      type: sum
                      format: usd
              - name: customer_id
                meta:
                  dimension:
                    type: number
          - name: customers
            config:
              meta:
                sql_from: public.customers
                label: Shop customers
            columns:
              - name: customer_id
                config:
                  meta:
                    dimension:
                      type: number
              - name: country
        """;

    private static ExploreCatalog Load(params (string File, string Content)[] files) => ModelFileLoader.Load(files);

    [Test]
    public void Load_BuildsAnExplorePerModel_WithJoinedFields()
    {
        var catalog = Load(("shop.yml", Shop));

        Assert.That(catalog.Errors, Is.Empty, string.Join("\n", catalog.Errors));
        Assert.That(catalog.Explores.Keys, Is.EquivalentTo(new[] { "orders", "customers" }));
        var orders = catalog.Explores["orders"];
        Assert.That(orders.Tables.Select(t => t.Name), Is.EqualTo(new[] { "orders", "customers" }));
        Assert.That(orders.Tables[1].Join!.Relationship, Is.EqualTo("many-to-one"));
        Assert.That(orders.Tables[1].SqlFrom, Is.EqualTo("public.customers"));
        Assert.That(orders.Fields.Keys, Is.SupersetOf(new[]
        {
            "orders_order_id", "orders_order_date", "orders_order_date_day", "orders_order_date_week", "orders_order_date_month",
            "orders_order_date_quarter", "orders_order_date_year", "orders_amount", "orders_total_revenue", "orders_unique_orders",
            "orders_order_count", "orders_revenue_per_order", "customers_customer_id", "customers_country",
        }));
    }

    [Test]
    public void Load_FillsDefaultsTheWayLightdashDoes()
    {
        var orders = Load(("shop.yml", Shop)).Explores["orders"];

        var orderDate = orders.Fields["orders_order_date"];
        Assert.That(orderDate.Sql, Is.EqualTo("${TABLE}.order_date"));
        Assert.That(orderDate.Label, Is.EqualTo("Order date"));
        Assert.That(orderDate.Description, Is.EqualTo("When it was placed"));
        Assert.That(orderDate.Kind, Is.EqualTo(FieldKind.Dimension));
        var month = orders.Fields["orders_order_date_month"];
        Assert.That((month.TimeInterval, month.BaseDimension, month.Type, month.Label), Is.EqualTo(("month", "order_date", "date", "Order date month")));
        var revenue = orders.Fields["orders_total_revenue"];
        Assert.That((revenue.Kind, revenue.Type, revenue.Sql, revenue.Format), Is.EqualTo((FieldKind.Metric, "sum", "${TABLE}.amount", "usd")));
        Assert.That(orders.Fields["orders_amount"].Hidden, Is.True);
        Assert.That(orders.Fields["customers_country"].Type, Is.EqualTo("string"));
        Assert.That(orders.Fields["orders_revenue_per_order"].Round, Is.EqualTo(2));
        Assert.That(Load(("shop.yml", Shop)).Explores["customers"].Label, Is.EqualTo("Shop customers"), "config.meta is read like meta");
    }

    [Test]
    public void Load_UnknownKeys_AreWarnings_ShownKeysAreCarriedThrough()
    {
        const string yaml = """
            models:
              - name: events
                meta:
                  spotlight: {visibility: show}
                  frobnicate: 1
                columns:
                  - name: kind
                    meta:
                      dimension:
                        type: string
                        colors: {a: red}
                        sparkle: true
            """;

        var catalog = Load(("events.yml", yaml));

        Assert.That(catalog.Errors, Is.Empty);
        Assert.That(catalog.Warnings.Select(w => w.Message), Has.Some.Contains("\"frobnicate\"").And.Some.Contains("\"sparkle\"").And.None.Contains("spotlight").And.None.Contains("colors"));
        Assert.That(catalog.Warnings.Single(w => w.Message.Contains("sparkle", StringComparison.Ordinal)).Field, Is.EqualTo("kind"));
        var events = catalog.Explores["events"];
        Assert.That(events.Presentation!["spotlight"]!["visibility"]!.GetValue<string>(), Is.EqualTo("show"));
        Assert.That(events.Fields["events_kind"].Presentation!["colors"]!["a"]!.GetValue<string>(), Is.EqualTo("red"));
    }

    [Test]
    public void Load_InvalidField_NamesFileModelAndField_AndOtherModelsStillLoad()
    {
        const string broken = """
            models:
              - name: broken
                columns:
                  - name: size
                    meta:
                      dimension:
                        type: integer
            """;

        var catalog = Load(("shop.yml", Shop), ("broken.yml", broken));

        var error = catalog.Errors.Single();
        Assert.That((error.File, error.Model, error.Field), Is.EqualTo(("broken.yml", "broken", "size")));
        Assert.That(error.Message, Does.Contain("integer"));
        Assert.That(error.Line, Is.EqualTo(7), "the line of the bad type");
        Assert.That(catalog.Explores.Keys, Is.EquivalentTo(new[] { "orders", "customers" }));
    }

    [Test]
    public void Load_JoinToAMissingModel_LeavesTheExploreOut()
    {
        const string yaml = """
            models:
              - name: payments
                meta:
                  joins:
                    - join: ledgers
                      sql_on: ${payments.id} = ${ledgers.payment_id}
                columns:
                  - name: id
            """;

        var catalog = Load(("payments.yml", yaml));

        Assert.That(catalog.Explores, Is.Empty);
        Assert.That(catalog.Errors.Single().Message, Does.Contain("ledgers").And.Contain("does not exist"));
        Assert.That(catalog.Errors.Single().Field, Is.EqualTo("ledgers"));
    }

    [Test]
    public void Load_InvalidYaml_NamesTheFileAndLine()
    {
        var catalog = Load(("bad.yml", "models:\n  - name: [unclosed\n"));

        Assert.That(catalog.Errors.Single().File, Is.EqualTo("bad.yml"));
        Assert.That(catalog.Errors.Single().Message, Does.StartWith("Not valid YAML"));
    }

    [Test]
    public void Load_TimeIntervals_CanBeChosenOrTurnedOff()
    {
        const string yaml = """
            models:
              - name: visits
                columns:
                  - name: seen_at
                    meta:
                      dimension:
                        type: timestamp
                        time_intervals: [RAW, DAY, MONTH, HOUR, FORTNIGHT]
                  - name: born_on
                    meta:
                      dimension:
                        type: date
                        time_intervals: OFF
            """;

        var catalog = Load(("visits.yml", yaml));

        // As Lightdash: an unknown interval is dropped with a warning naming it; the model still loads.
        Assert.That(catalog.Errors, Is.Empty);
        var warning = catalog.Warnings.Single(w => w.Message.Contains("FORTNIGHT", StringComparison.Ordinal));
        Assert.That(warning.Message, Does.StartWith("Ignoring unknown time interval").And.Contain("seen_at").And.Contain("visits").And.Contain("visits.yml"));
        Assert.That((warning.File, warning.Model, warning.Field), Is.EqualTo(("visits.yml", "visits", "seen_at")));
        Assert.That(catalog.Explores["visits"].Fields.Keys, Does.Not.Contain("visits_seen_at_fortnight"));
        var loaded = Load(("visits.yml", yaml.Replace(", FORTNIGHT", "", StringComparison.Ordinal))).Explores["visits"].Fields;
        Assert.That(loaded.Keys, Is.EquivalentTo(new[] { "visits_seen_at", "visits_seen_at_day", "visits_seen_at_month", "visits_seen_at_hour", "visits_born_on" }));
        Assert.That(loaded["visits_seen_at_hour"].Type, Is.EqualTo("timestamp"));
    }

    [Test]
    public void Load_ModelMetricWithoutSql_IsAnError_ButCountIsNot()
    {
        const string yaml = """
            models:
              - name: sales
                meta:
                  metrics:
                    rows: {type: count}
                    total: {type: sum}
            """;

        var catalog = Load(("sales.yml", yaml));

        Assert.That(catalog.Errors.Single().Field, Is.EqualTo("total"));
        Assert.That(catalog.Errors.Single().Message, Does.Contain("needs sql"));
    }

    [Test]
    public void Load_MetricFilters_AreKept()
    {
        const string yaml = """
            models:
              - name: sales
                columns:
                  - name: status
                  - name: amount
                    meta:
                      metrics:
                        won: {type: sum, filters: [{status: [won, closed]}]}
            """;

        var won = Load(("sales.yml", yaml)).Explores["sales"].Fields["sales_won"];

        Assert.That(won.MetricFilters!.Single(), Is.EqualTo(new MetricFilter("status", ["won", "closed"])).Using<MetricFilter>((a, b) => a.Dimension == b.Dimension && a.Values.SequenceEqual(b.Values) ? 0 : 1));
    }

    [Test]
    public void Load_TheSameModelInTwoFiles_IsAnError()
    {
        var catalog = Load(("a.yml", "models:\n  - name: twin\n"), ("b.yml", "models:\n  - name: twin\n"));

        Assert.That(catalog.Errors.Single().Message, Does.Contain("also defined in a.yml"));
    }

    [Test]
    public void LoadFolder_ReadsYmlAndYamlFilesBelowIt()
    {
        var folder = Directory.CreateTempSubdirectory("lightdash-models-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "marts"));
        File.WriteAllText(Path.Combine(folder, "marts", "shop.yml"), Shop);
        File.WriteAllText(Path.Combine(folder, "extra.yaml"), "models:\n  - name: extra\n");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a model");

        var catalog = ModelFileLoader.LoadFolder(folder);

        Assert.That(catalog.Explores.Keys, Is.EquivalentTo(new[] { "orders", "customers", "extra" }));
        Assert.That(catalog.Explores["orders"].SourceFile, Is.EqualTo(Path.Combine("marts", "shop.yml")));
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public void MetaAndConfigMeta_MergeInsideDimension_ConfigWinsWhereBothSetAKey()
    {
        var catalog = Load(("merge.yml", """
            version: 2
            models:
              - name: payments
                columns:
                  - name: amount
                    meta:
                      dimension:
                        type: number
                        label: Old label
                    config:
                      meta:
                        dimension:
                          label: Amount paid
                  - name: paid_at
                    meta:
                      dimension:
                        type: date
                    config:
                      meta:
                        dimension:
                          description: When it was paid
            """));

        Assert.That(catalog.Errors, Is.Empty, string.Join("\n", catalog.Errors));
        var fields = catalog.Explores["payments"].Fields;
        Assert.That(fields["payments_amount"].Type, Is.EqualTo("number"), "meta's type survives config.meta's dimension");
        Assert.That(fields["payments_amount"].Label, Is.EqualTo("Amount paid"), "config.meta wins where both set a key");
        Assert.That(fields.Keys, Does.Contain("payments_paid_at_month"), "a date from meta still gets its intervals");
        Assert.That(fields["payments_paid_at"].Description, Is.EqualTo("When it was paid"));
    }

    [Test]
    public void AJoinedModelsOwnJoinErrors_StayWithItsExplore_AndAllAreReportedAtOnce()
    {
        var catalog = Load(("shop.yml", """
            version: 2
            models:
              - name: orders
                meta:
                  joins:
                    - join: customers
                      sql_on: ${orders.customer_id} = ${customers.customer_id}
                      relationship: many-to-one
                columns:
                  - name: customer_id
              - name: customers
                meta:
                  joins:
                    - join: missing_a
                      sql_on: ${customers.a} = ${missing_a.a}
                    - join: missing_b
                      sql_on: ${customers.b} = ${missing_b.b}
                columns:
                  - name: customer_id
                  - name: country
            """));

        Assert.That(catalog.Explores.Keys, Is.EqualTo(new[] { "orders" }), "orders loads: a join brings customers' fields, not customers' joins");
        Assert.That(catalog.Explores["orders"].Fields.Keys, Does.Contain("customers_country"));
        Assert.That(catalog.Errors.Where(e => e.Model == "customers").Select(e => e.Field), Is.EquivalentTo(new[] { "missing_a", "missing_b" }), "both missing joins at once");
        Assert.That(catalog.Errors.Where(e => e.Model == "orders"), Is.Empty);
    }

    [Test]
    public void AFieldReferringToAMissingField_IsALoadTimeErrorNamingIt()
    {
        var catalog = Load(("orders.yml", """
            version: 2
            models:
              - name: orders
                meta:
                  metrics:
                    revenue_per_order:
                      type: number
                      sql: ${total_revenue} / nullif(${order_count}, 0)
                columns:
                  - name: amount
                    meta:
                      dimension:
                        type: number
                      metrics:
                        total_revenue:
                          type: sum
            """));

        Assert.That(catalog.Explores, Is.Empty);
        var error = catalog.Errors.Single();
        Assert.That(error.Field, Is.EqualTo("orders_revenue_per_order"));
        Assert.That(error.Message, Does.Contain("${order_count}"));
    }
}
