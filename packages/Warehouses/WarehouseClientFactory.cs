using System.Collections.Concurrent;
using Lightdash.Net.Warehouses.DuckDb;
using Lightdash.Net.Warehouses.Postgres;

namespace Lightdash.Net.Warehouses;

/// <summary>
/// Maps a warehouse connection to its client. Clients own connection pools, so one client is kept
/// per connection for the life of the factory; adding a warehouse touches only the switch below.
/// </summary>
/// <param name="policy">What warehouse logins may be; <see cref="WarehouseSecurityPolicy.Default"/> when null.</param>
/// <param name="duckDbLimits">What an embedded DuckDB database may take of this process; <see cref="DuckDbLimits.Default"/> when null.</param>
public sealed class WarehouseClientFactory(WarehouseSecurityPolicy? policy = null, DuckDbLimits? duckDbLimits = null) : IAsyncDisposable
{
    private readonly WarehouseSecurityPolicy _policy = policy ?? WarehouseSecurityPolicy.Default;
    private readonly DuckDbLimits _duckDbLimits = duckDbLimits ?? DuckDbLimits.Default;

    private readonly ConcurrentDictionary<WarehouseConnection, Lazy<IWarehouseClient>> _clients = new();

    /// <summary>The client for this connection, created on first use.</summary>
    public IWarehouseClient GetClient(WarehouseConnection connection) =>
        _clients.GetOrAdd(connection, c => new Lazy<IWarehouseClient>(() => Create(c))).Value;

    /// <summary>
    /// Connects with a new client (not kept) and runs one trivial query through every check a real
    /// query meets (login rights, sandbox); throws what a query would.
    /// </summary>
    /// <exception cref="WarehouseQueryException">The connection failed or was refused.</exception>
    public async Task CheckAsync(WarehouseConnection connection, CancellationToken cancellationToken)
    {
        var client = Create(connection);
        try
        {
            var reader = await client.ExecuteAsync(new WarehouseQuery("SELECT 1 AS ok", Timeout: CheckTimeout), cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }
        finally
        {
            if (client is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);

    private IWarehouseClient Create(WarehouseConnection connection) => connection.Type switch
    {
        WarehouseType.Postgres => new PostgresWarehouseClient(connection.ConnectionString, _policy),
        WarehouseType.DuckDb => new DuckDbWarehouseClient(connection.ConnectionString, _duckDbLimits),
        _ => throw new NotSupportedException($"Warehouse type {connection.Type} is not supported."),
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            if (client.IsValueCreated && client.Value is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }

        _clients.Clear();
    }
}
