using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>
/// Counts the statements of a SQL text with DuckDB's own parser (<c>duckdb_extract_statements</c>),
/// so that what runs is exactly one statement: SQL that closes the backend's wrapper cannot stack a
/// second statement behind it, whatever quoting or comments it uses.
/// </summary>
internal static class DuckDbStatements
{
    /// <summary>Throws unless <paramref name="sql"/> is exactly one statement.</summary>
    /// <exception cref="WarehouseQueryException">It is several statements, or DuckDB cannot parse it.</exception>
    public static void RequireOne(DuckDBConnection connection, string sql)
    {
        var count = NativeMethods.ExtractStatements.DuckDBExtractStatements(connection.NativeConnection, sql, out var extracted);
        try
        {
            if (count == 0)
            {
                var error = NativeMethods.ExtractStatements.DuckDBExtractStatementsError(extracted);
                throw new WarehouseQueryException(string.IsNullOrEmpty(error) ? "The SQL could not be parsed." : error) { SqlState = SyntaxErrorState };
            }

            if (count > 1)
            {
                throw new WarehouseQueryException(
                    "The SQL holds more than one statement once it is run as a query; only one statement runs at a time. " +
                    "Remove the extra statements (a ';' followed by more SQL).")
                {
                    SqlState = SyntaxErrorState,
                };
            }
        }
        finally
        {
            extracted.Dispose();
        }
    }

    private const string SyntaxErrorState = "42601";
}
