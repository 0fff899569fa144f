namespace Lightdash.Net.Common;

/// <summary>
/// Where a warehouse statement came from: stored with the query, in its tag on the warehouse
/// (<c>context=…</c>) and in its metrics. A request may name its own (letters, digits, '.', '-', '_');
/// these are the backend's, one per route or purpose, with Lightdash's names where Lightdash has them.
/// </summary>
public enum QueryContext
{
    /// <summary><c>api</c>: raw SQL through the query API.</summary>
    Api,

    /// <summary><c>exploreView</c>: a metric query.</summary>
    ExploreView,

    /// <summary><c>viewUnderlyingData</c>: the rows behind a metric query's value.</summary>
    ViewUnderlyingData,

    /// <summary><c>mergeQuery</c>: several metric queries merged on their dimensions.</summary>
    MergeQuery,

    /// <summary><c>statements</c>: the Snowflake-style statements API.</summary>
    Statements,

    /// <summary><c>dashboardView</c>: a dashboard tile.</summary>
    DashboardView,

    /// <summary><c>composeSql</c>: SQL over stored results.</summary>
    ComposeSql,

    /// <summary><c>resultView</c>: a sorted, filtered view of a stored result.</summary>
    ResultView,

    /// <summary><c>chartView</c>: a saved chart.</summary>
    ChartView,

    /// <summary><c>sqlChartView</c>: a saved SQL chart.</summary>
    SqlChartView,

    /// <summary><c>sqlChartColumns</c>: a SQL chart's columns, read when it is saved.</summary>
    SqlChartColumns,

    /// <summary><c>scheduledDelivery</c>: a scheduler's delivery.</summary>
    ScheduledDelivery,

    /// <summary><c>fieldValues</c>: a dimension's values for a filter.</summary>
    FieldValues,

    /// <summary><c>calculateTotal</c>: a query's totals or subtotals.</summary>
    CalculateTotal,

    /// <summary><c>parameterOptions</c>: a parameter's options from a dimension.</summary>
    ParameterOptions,

    /// <summary><c>resultsRefetch</c>: a page read again from the warehouse (no results storage).</summary>
    ResultsRefetch,
}

/// <summary>The stored names of <see cref="QueryContext"/>.</summary>
public static class QueryContextNames
{
    /// <summary>The name stored and shown: the member's name in camelCase (<c>dashboardView</c>).</summary>
    public static string ToName(this QueryContext context)
    {
        var name = context.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
