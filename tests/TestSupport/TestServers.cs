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

    /// <summary>The SMTP port of the local mail server (maildev) the test command started.</summary>
    public static int SmtpPort => int.Parse(Environment.GetEnvironmentVariable("LIGHTDASH_TEST_SMTP_PORT") ?? Environment.GetEnvironmentVariable("LIGHTDASH_SMTP_PORT") ?? "1025", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The web API of the local mail server (maildev): <c>GET /email</c> lists what it received.</summary>
    public static string MailWebUrl =>
        Environment.GetEnvironmentVariable("LIGHTDASH_TEST_MAIL_WEB_URL")
        ?? $"http://127.0.0.1:{Environment.GetEnvironmentVariable("LIGHTDASH_MAIL_WEB_PORT") ?? "1080"}";

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

    /// <summary>The login the service gets in tests: it owns the test databases, and is no superuser.</summary>
    public const string ServiceRole = "ldn_test_service";

    /// <summary>The warehouse login of test projects: SELECT on the tables of the test databases, nothing more.</summary>
    public const string ReaderRole = "ldn_test_reader";

    // Test-only logins on a loopback server; the superuser's password comes from the test command.
    private const string ServicePassword = "ldn-test-service-password";
    private const string ReaderPassword = "ldn-test-reader-password";

    private static readonly SemaphoreSlim RolesLock = new(1, 1);
    private static bool _rolesReady;

    /// <summary>A connection string to one database of the test server, as the superuser.</summary>
    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = database, Pooling = true }.ConnectionString;

    /// <summary>A connection string to one database as the service's own login.</summary>
    public static string ServiceConnectionStringFor(string database) => ConnectionStringAs(database, ServiceRole, ServicePassword);

    /// <summary>A connection string to one database as the read-only warehouse login.</summary>
    public static string ReaderConnectionStringFor(string database) => ConnectionStringAs(database, ReaderRole, ReaderPassword);

    private static string ConnectionStringAs(string database, string role, string password) =>
        new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = database, Username = role, Password = password, Pooling = true }.ConnectionString;

    /// <summary>Makes sure the service and reader logins exist (once per process; safe across test processes).</summary>
    public static async Task EnsureRolesAsync()
    {
        await RolesLock.WaitAsync();
        try
        {
            if (_rolesReady)
            {
                return;
            }

            await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
            await connection.OpenAsync();
            // Test processes run side by side: one at a time creates the roles.
            await using (var command = new NpgsqlCommand($"""
                SELECT pg_advisory_lock(hashtext('ldn_test_roles'));
                DO $$
                BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ServiceRole}') THEN CREATE ROLE {ServiceRole} LOGIN; END IF;
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ReaderRole}') THEN CREATE ROLE {ReaderRole} LOGIN; END IF;
                END $$;
                ALTER ROLE {ServiceRole} LOGIN NOSUPERUSER NOCREATEROLE PASSWORD '{ServicePassword}';
                ALTER ROLE {ReaderRole} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '{ReaderPassword}';
                SELECT pg_advisory_unlock(hashtext('ldn_test_roles'));
                """, connection))
            {
                await command.ExecuteNonQueryAsync();
            }

            _rolesReady = true;
        }
        finally
        {
            RolesLock.Release();
        }
    }

    /// <summary>
    /// Plain login roles (cluster-wide, made once, their password set again on every call), each a
    /// member of the reader role: warehouse logins of their own that read what the reader reads.
    /// </summary>
    public static async Task EnsureReaderLoginsAsync(string password, params string[] roles)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync();
        foreach (var role in roles)
        {
            await using var command = new NpgsqlCommand($"""
                SELECT pg_advisory_lock(hashtext('ldn_test_roles'));
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} LOGIN; END IF;
                END $$;
                ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '{password}';
                GRANT {ReaderRole} TO {role};
                SELECT pg_advisory_unlock(hashtext('ldn_test_roles'));
                """, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

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
