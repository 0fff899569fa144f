using Lightdash.Net.Common;
using Lightdash.Net.Warehouses.Postgres;

namespace Lightdash.Net.Semantic.Tests;

/// <summary>Dashboard filters and sorts on a SQL chart's columns, as pure SQL wrapping (no warehouse).</summary>
public class SqlChartFiltersTests
{
    private static readonly ResultColumn[] Columns =
    [
        new("status", DimensionType.String, "text"),
        new("amount", DimensionType.Number, "numeric"),
    ];

    [Test]
    public void Wrap_WithoutFiltersOrSorts_IsTheSqlAsASubquery() =>
        Assert.That(
            SqlChartFilters.Wrap("select * from orders;", Columns, null, [], PostgresSqlDialect.Instance),
            Is.EqualTo("SELECT * FROM (\nselect * from orders\n) AS \"lightdash_sql\""));

    [Test]
    public void Wrap_FiltersByColumnName_WithValuesQuoted_AndSorts()
    {
        var filters = new FilterGroup("and", [
            new FilterRule("status", "equals", [new FilterValue("O'Brien", true)]),
            new FilterRule("amount", "greaterThan", [new FilterValue("10", false)]),
        ]);

        var sql = SqlChartFilters.Wrap("select * from orders", Columns, filters, [new SortField("amount", true)], PostgresSqlDialect.Instance);

        Assert.That(sql, Does.StartWith("SELECT * FROM (\nselect * from orders\n) AS \"lightdash_sql\"\nWHERE "));
        Assert.That(sql, Does.Contain("\"lightdash_sql\".\"status\"").And.Contain("'O''Brien'").And.Contain("> 10"));
        Assert.That(sql, Does.EndWith("\nORDER BY \"amount\" DESC"));
    }

    [Test]
    public void Wrap_SortOnAColumnTheSqlDoesNotHave_Throws() =>
        Assert.That(
            () => SqlChartFilters.Wrap("select 1 as one", Columns, null, [new SortField("missing", false)], PostgresSqlDialect.Instance),
            Throws.TypeOf<MetricQueryException>().With.Message.Contains("missing"));
}
