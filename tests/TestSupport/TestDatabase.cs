using Npgsql;

namespace Lightdash.Net.TestSupport;

/// <summary>A fresh PostgreSQL database for one fixture, dropped when disposed.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name)
    {
        Name = name;
        ConnectionString = TestServers.ConnectionStringFor(name);
        ServiceConnectionString = TestServers.ServiceConnectionStringFor(name);
        ReaderConnectionString = TestServers.ReaderConnectionStringFor(name);
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>A connection string to it as the superuser (for setting tests up).</summary>
    public string ConnectionString { get; }

    /// <summary>A connection string to it as the service's own login, which owns it (a metadata database).</summary>
    public string ServiceConnectionString { get; }

    /// <summary>A connection string to it as the read-only warehouse login (a project's warehouse).</summary>
    public string ReaderConnectionString { get; }

    /// <summary>
    /// Creates an empty database named after <paramref name="purpose"/> and a random suffix, owned by
    /// the service's login; the reader login may SELECT every table the superuser creates in it.
    /// </summary>
    public static async Task<TestDatabase> CreateAsync(string purpose)
    {
        await TestServers.EnsureRolesAsync();
        var database = new TestDatabase($"ldn_{purpose}_{Guid.NewGuid():N}"[..Math.Min(40, 37 + purpose.Length)]);
        await using (var connection = new NpgsqlConnection(TestServers.ConnectionStringFor("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\" OWNER {TestServers.ServiceRole}", connection);
            await command.ExecuteNonQueryAsync();
        }

        await database.ExecuteAsync($"""
            GRANT CONNECT ON DATABASE "{database.Name}" TO {TestServers.ReaderRole};
            GRANT USAGE ON SCHEMA public TO {TestServers.ReaderRole};
            ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO {TestServers.ReaderRole};
            """);
        return database;
    }

    /// <summary>Runs SQL in this database.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query returning one value.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestServers.ConnectionStringFor("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
