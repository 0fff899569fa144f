using Lightdash.Net.Common;
using System.Data;
using System.Globalization;
using Npgsql;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>Runs queries on a PostgreSQL warehouse through a pooled Npgsql data source.</summary>
public sealed class PostgresWarehouseClient : IWarehouseClient, IAsyncDisposable
{
    private static readonly WarehouseCapabilities PostgresCapabilities = new(SupportsCancel: true, SupportsWindowedRefetch: true);

    private readonly NpgsqlDataSource _dataSource;
    private readonly WarehouseSecurityPolicy _policy;
    private readonly string _applicationName;

    /// <summary>Creates the client; no connection is opened until a query runs.</summary>
    public PostgresWarehouseClient(string connectionString, WarehouseSecurityPolicy? policy = null)
    {
        _policy = policy ?? WarehouseSecurityPolicy.Default;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!builder.ContainsKey("Command Timeout"))
        {
            // The statement's time limit is the warehouse's statement_timeout, set per query.
            builder.CommandTimeout = 0;
        }

        builder.ApplicationName ??= "lightdash-net";
        _applicationName = builder.ApplicationName;
        if (!builder.ContainsKey("Cancellation Timeout"))
        {
            // After a cancel, wait for the server to say the statement ended instead of dropping the
            // connection after 2 s: a statement that ignores the cancel for a while (a long planning
            // phase) then still counts against its user's slots until it really ends.
            builder.CancellationTimeout = 0;
        }

        if (!builder.ContainsKey("Keepalive"))
        {
            // That wait ends when the server is gone, not only when it answers.
            builder.KeepAlive = 30;
        }
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
        NpgsqlBatch? command = null;
        try
        {
            connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await PostgresSessionGuard.ApplyAsync(connection, _policy, query.Timeout, query.Tag?.ApplicationName ?? _applicationName, cancellationToken).ConfigureAwait(false);
            // One batch command is sent as it is, in one Parse message of the extended protocol, which
            // PostgreSQL refuses when it holds more than one statement ("cannot insert multiple commands
            // into a prepared statement"): SQL that closes its wrapper cannot stack a SET or a second
            // query behind it. (A plain NpgsqlCommand without parameters would be split at its semicolons.)
            var statement = new NpgsqlBatchCommand(QueryTag.Prefix(query.Tag, Dialect.WrapWithWindow(query.Sql, query.Limit, query.Offset)));
            foreach (var value in query.Parameters ?? [])
            {
                // Positional ($1, $2...): Npgsql sends each value typed, beside the SQL.
                statement.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            }

            command = new NpgsqlBatch(connection) { BatchCommands = { statement } };

            if (query.OnStarted is { } onStarted)
            {
                await onStarted(connection.ProcessID.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }

            var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            return new PostgresResultReader(connection, command, reader, query.Timeout);
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
                throw PostgresErrors.ToWarehouseException(e, query.Timeout);
            }

            throw;
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgresErrors.IsWarehouseFailure(e, cancellationToken) || e is System.Net.Sockets.SocketException or TimeoutException)
        {
            // Refused logins, missing databases and unreachable hosts alike: the detail says where things are.
            throw WarehouseQueryException.ConnectionFailed(e.Message, e);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
