using DuckDB.NET.Data;

namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>
/// Locks an embedded DuckDB database down before user SQL runs on it: no file system access beyond
/// the database itself (no reading or writing files, no ATTACH, no globbing), no installing or
/// auto-loading extensions, and the configuration locked so that no statement can turn any of it back.
/// Its memory and threads are bounded too (<see cref="DuckDbLimits"/>), and its allocator hands freed
/// memory back to the system in the background, so that memory comes back after a heavy query.
/// DuckDB shares one database instance between the connections of a process, so the first connection
/// locks it for all of them; later ones check that it is locked the safe way.
/// </summary>
internal static class DuckDbSandbox
{
    /// <summary>Locks the database of <paramref name="connection"/> down, or checks that it is.</summary>
    /// <exception cref="WarehouseQueryException">The database's configuration was locked with external access on.</exception>
    public static void Apply(DuckDBConnection connection, DuckDbLimits limits)
    {
        string[] settings =
        [
            "SET enable_external_access = false",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            $"SET memory_limit = {DuckDbSqlDialect.Instance.QuoteString(limits.MemoryLimit)}",
            $"SET threads = {limits.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            // Without it, memory freed by a query stays with the process until the next one runs.
            "SET allocator_background_threads = true",
            "SET allocator_flush_threshold = '16MB'",
            "SET lock_configuration = true",
        ];

        if (IsLocked(connection, out var externalAccess))
        {
            ThrowIfOpen(externalAccess);
            return;
        }

        try
        {
            foreach (var setting in settings)
            {
                using var command = connection.CreateCommand();
                command.CommandText = setting;
                command.ExecuteNonQuery();
            }
        }
        catch (DuckDBException) when (IsLocked(connection, out var access))
        {
            // Another connection locked it first.
            ThrowIfOpen(access);
        }
    }

    private static bool IsLocked(DuckDBConnection connection, out bool externalAccess)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_setting('lock_configuration'), current_setting('enable_external_access')";
        using var reader = command.ExecuteReader();
        reader.Read();
        externalAccess = reader.GetBoolean(1);
        return reader.GetBoolean(0);
    }

    private static void ThrowIfOpen(bool externalAccess)
    {
        if (externalAccess)
        {
            throw new WarehouseQueryException("The DuckDB database's configuration is locked with external access on, so user SQL could reach files; refused.");
        }
    }
}
