using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>DuckDB's errors as the user who ran the query should read them.</summary>
internal static class DuckDbErrors
{
    /// <summary>
    /// The error as a warehouse error; one that reached the memory limit names the limit and the
    /// setting that raises it, instead of DuckDB's advice to run <c>SET memory_limit</c> (which the
    /// locked configuration refuses).
    /// </summary>
    public static WarehouseQueryException ToWarehouseException(DuckDBException e, DuckDbLimits limits)
    {
        if (e.ErrorType == DuckDBErrorType.OutOfMemory)
        {
            return new WarehouseQueryException(
                $"The query needs more memory than DuckDB may use in this backend ({limits.MemoryLimit}, set by {limits.Setting}), so it was stopped. " +
                "Aggregate or filter more in the query, or ask an operator to raise the limit.",
                e)
            {
                SqlState = OutOfMemoryState,
            };
        }

        return new WarehouseQueryException(e.Message, e);
    }

    // PostgreSQL's and the SQL standard's "out of memory".
    private const string OutOfMemoryState = "53200";
}
