using System.Collections.Concurrent;
using Lightdash.Net.Warehouses.DuckDb;
using Lightdash.Net.Warehouses.Postgres;

namespace Lightdash.Net.Warehouses;

/// <summary>
/// Maps a warehouse connection to its client. Clients own connection pools, so one client is kept
/// per connection for the life of the factory; adding a warehouse touches only the switch below.
/// </summary>
public sealed class WarehouseClientFactory : IAsyncDisposable
{
    private readonly ConcurrentDictionary<WarehouseConnection, Lazy<IWarehouseClient>> _clients = new();

    /// <summary>The client for this connection, created on first use.</summary>
    public IWarehouseClient GetClient(WarehouseConnection connection) =>
        _clients.GetOrAdd(connection, c => new Lazy<IWarehouseClient>(() => Create(c))).Value;

    private static IWarehouseClient Create(WarehouseConnection connection) => connection.Type switch
    {
        WarehouseType.Postgres => new PostgresWarehouseClient(connection.ConnectionString),
        WarehouseType.DuckDb => new DuckDbWarehouseClient(connection.ConnectionString),
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
