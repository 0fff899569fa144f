using System.Data;
using System.Globalization;
using Npgsql;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>Runs queries on a PostgreSQL warehouse through a pooled Npgsql data source.</summary>
public sealed class PostgresWarehouseClient : IWarehouseClient, IAsyncDisposable
{
    private static readonly WarehouseCapabilities PostgresCapabilities = new(SupportsCancel: true, SupportsWindowedRefetch: true);

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Creates the client; no connection is opened until a query runs.</summary>
    public PostgresWarehouseClient(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!builder.ContainsKey("Command Timeout"))
        {
            // Analytics queries run as long as they need; users cancel them explicitly.
            builder.CommandTimeout = 0;
        }

        builder.ApplicationName ??= "lightdash-net";
        // Arrays holding nulls come back with nullable elements instead of failing to read.
        builder.ArrayNullabilityMode = ArrayNullabilityMode.Always;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <inheritdoc />
    public WarehouseCapabilities Capabilities => PostgresCapabilities;

    /// <inheritdoc />
    public ISqlDialect Dialect => PostgresSqlDialect.Instance;

    /// <inheritdoc />
    public async Task<IWarehouseResultReader> ExecuteAsync(WarehouseQuery query, CancellationToken cancellationToken)
    {
        NpgsqlConnection? connection = null;
        NpgsqlCommand? command = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            command = new NpgsqlCommand(Dialect.WrapWithWindow(query.Sql, query.Limit, query.Offset), connection);
            if (query.OnStarted is { } onStarted)
            {
                await onStarted(connection.ProcessID.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }

            var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            return new PostgresResultReader(connection, command, reader);
        }
        catch (Exception e)
        {
            if (command is not null)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            if (PostgresErrors.IsWarehouseFailure(e, cancellationToken))
            {
                throw PostgresErrors.ToWarehouseException(e);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
