using Npgsql;

namespace Lightdash.Net.TestSupport;

/// <summary>
/// The servers the test command started (scripts/test.sh): one PostgreSQL and one S3 server per run.
/// Tests never start servers; they isolate themselves by database and key prefix.
/// </summary>
public static class TestServers
{
    /// <summary>An admin connection string to the test PostgreSQL server (no database).</summary>
    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("LIGHTDASH_TEST_PG")
        ?? $"Host=127.0.0.1;Port={Environment.GetEnvironmentVariable("LIGHTDASH_PG_PORT") ?? "55432"};Username=postgres";

    /// <summary>The S3 server's endpoint.</summary>
    public static string S3ServiceUrl =>
        Environment.GetEnvironmentVariable("LIGHTDASH_TEST_S3_URL")
        ?? $"http://127.0.0.1:{Environment.GetEnvironmentVariable("LIGHTDASH_S3_PORT") ?? "4568"}";

    /// <summary>The S3 bucket the test command configured.</summary>
    public const string S3Bucket = "results";

    /// <summary>s3rver's fixed credentials.</summary>
    public const string S3AccessKey = "S3RVER";

    /// <summary>s3rver's fixed credentials.</summary>
    public const string S3SecretKey = "S3RVER";

    /// <summary>A connection string to one database of the test server.</summary>
    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = database, Pooling = true }.ConnectionString;

    /// <summary>Fails fast with a clear message when the test command's servers are not running.</summary>
    public static async Task EnsurePostgresAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
            await connection.OpenAsync();
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException($"PostgreSQL is not reachable ({e.Message}). Run the tests with scripts/test.sh, which starts it.", e);
        }
    }
}
