namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>DuckDB's SQL for the statements the backend writes around a user's query.</summary>
public sealed class DuckDbSqlDialect : LimitOffsetSqlDialect
{
    /// <summary>The one instance; the dialect has no state.</summary>
    public static readonly DuckDbSqlDialect Instance = new();
}
