namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>PostgreSQL's SQL for the statements the backend writes around a user's query.</summary>
public sealed class PostgresSqlDialect : LimitOffsetSqlDialect
{
    /// <summary>The one instance; the dialect has no state.</summary>
    public static readonly PostgresSqlDialect Instance = new();

    /// <inheritdoc />
    public override string NowIn(string timezone) => $"(NOW() AT TIME ZONE {QuoteString(timezone)})";

    /// <inheritdoc />
    protected override string MonthName(string expression) => $"TO_CHAR({expression}, 'FMMonth')";

    /// <inheritdoc />
    protected override string DayName(string expression) => $"TO_CHAR({expression}, 'FMDay')";

    /// <inheritdoc />
    public override string SumDistinct(IReadOnlyList<string> keys, string value) => OverDistinctKeys("SUM", keys, value);

    /// <inheritdoc />
    public override string AverageDistinct(IReadOnlyList<string> keys, string value) => OverDistinctKeys("AVG", keys, value);

    // The group's (key, value) pairs are gathered into arrays (outer-level aggregates), made distinct
    // and aggregated again in a scalar subquery. A composite key is compared by its row's text.
    private static string OverDistinctKeys(string aggregate, IReadOnlyList<string> keys, string value) =>
        $"(SELECT {aggregate}(lightdash_distinct.v) FROM (SELECT DISTINCT k, v FROM UNNEST(" +
        $"ARRAY_AGG(CAST(ROW({string.Join(", ", keys)}) AS TEXT)), ARRAY_AGG({value})) AS lightdash_distinct(k, v)) AS lightdash_distinct)";
}
