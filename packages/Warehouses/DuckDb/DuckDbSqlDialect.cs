namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>DuckDB's SQL for the statements the backend writes around a user's query.</summary>
public sealed class DuckDbSqlDialect : LimitOffsetSqlDialect
{
    /// <summary>The one instance; the dialect has no state.</summary>
    public static readonly DuckDbSqlDialect Instance = new();

    /// <inheritdoc />
    public override string NowIn(string timezone) => $"timezone({QuoteString(timezone)}, NOW())";

    /// <inheritdoc />
    protected override string MonthName(string expression) => $"MONTHNAME({expression})";

    /// <inheritdoc />
    protected override string DayName(string expression) => $"DAYNAME({expression})";

    /// <inheritdoc />
    public override string SumDistinct(IReadOnlyList<string> keys, string value) => OverDistinctKeys("list_sum", keys, value);

    /// <inheritdoc />
    public override string AverageDistinct(IReadOnlyList<string> keys, string value) => OverDistinctKeys("list_avg", keys, value);

    /// <inheritdoc />
    public override string Median(string expression) => $"MEDIAN({expression})";

    /// <inheritdoc />
    public override string Percentile(string expression, int percentile) =>
        $"QUANTILE_CONT({expression}, {(percentile / 100m).ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    // The group's distinct {key, value} structs, then the value of each (NULL values are skipped by list_sum and list_avg).
    private static string OverDistinctKeys(string aggregate, IReadOnlyList<string> keys, string value) =>
        $"{aggregate}(list_transform(list_distinct(LIST({{'k': [{string.Join(", ", keys.Select(k => $"CAST({k} AS VARCHAR)"))}], 'v': {value}}})), lambda lightdash_pair: lightdash_pair.v))";
}
