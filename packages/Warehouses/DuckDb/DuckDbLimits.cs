namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>
/// What an embedded DuckDB database may take of the backend's process, which it shares: DuckDB's
/// default is 80% of the machine's memory and every core. Set before the database's configuration is
/// locked, so no statement can raise them.
/// </summary>
/// <param name="MemoryLimit">DuckDB's <c>memory_limit</c>, such as <c>2GB</c> or <c>512MiB</c>; past it a query fails naming it.</param>
/// <param name="Threads">DuckDB's <c>threads</c>: how many cores one database's queries use.</param>
/// <param name="Setting">The configuration key that sets the memory limit, named in the error a query gets when it reaches it.</param>
public sealed record DuckDbLimits(string MemoryLimit = "2GB", int Threads = 2, string Setting = "WarehouseSecurity:DuckDbMemoryLimit")
{
    /// <summary>2 GB and 2 threads.</summary>
    public static DuckDbLimits Default { get; } = new();

    /// <summary>A size DuckDB reads as a memory limit: a number and KB, MB, GB, TB, KiB, MiB, GiB or TiB.</summary>
    public const string MemoryLimitPattern = @"^[0-9]{1,6}(\.[0-9]{1,3})?\s?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$";
}
