using DuckDB.NET.Data;

namespace Lightdash.Net.TestSupport;

/// <summary>Sets a DuckDB database file up directly (user SQL through the warehouse client may only read).</summary>
public static class TestDuckDb
{
    /// <summary>Runs statements (separated by semicolons) on the database file.</summary>
    public static async Task ExecuteAsync(string file, string sql)
    {
        await using var connection = new DuckDBConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
