namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>PostgreSQL's SQL for the statements the backend writes around a user's query.</summary>
public sealed class PostgresSqlDialect : LimitOffsetSqlDialect
{
    /// <summary>The one instance; the dialect has no state.</summary>
    public static readonly PostgresSqlDialect Instance = new();

    /// <inheritdoc />
    public override string NowIn(string timezone) => $"(NOW() AT TIME ZONE {QuoteString(timezone)})";
}
