namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>DuckDB's SQL for the statements the backend writes around a user's query.</summary>
public sealed class DuckDbSqlDialect : LimitOffsetSqlDialect
{
    /// <summary>The one instance; the dialect has no state.</summary>
    public static readonly DuckDbSqlDialect Instance = new();

    /// <inheritdoc />
    public override string NowIn(string timezone) => $"timezone({QuoteString(timezone)}, NOW())";

    /// <inheritdoc />
    public override string Median(string expression) => $"MEDIAN({expression})";

    /// <inheritdoc />
    public override string Percentile(string expression, int percentile) =>
        $"QUANTILE_CONT({expression}, {(percentile / 100m).ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}
