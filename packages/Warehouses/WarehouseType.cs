namespace Lightdash.Net.Warehouses;

/// <summary>The kinds of warehouse a project can connect to.</summary>
public enum WarehouseType
{
    /// <summary>PostgreSQL, through Npgsql.</summary>
    Postgres,

    /// <summary>DuckDB, embedded in the backend's process (a database file, or <c>:memory:</c>).</summary>
    DuckDb,
}
