using Lightdash.Net.Common;
using DuckDB.NET.Data;

namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>
/// Runs queries on an embedded DuckDB database (a file, or <c>:memory:</c>) in this process.
/// Queries execute on the thread pool, stream their chunks, and stop on cancel or at their time
/// limit (DuckDB's interrupt). User SQL runs in a sandbox (<see cref="DuckDbSandbox"/>): it reads the
/// project's tables and nothing else.
/// </summary>
public sealed class DuckDbWarehouseClient(string connectionString) : IWarehouseClient
{
    private static readonly WarehouseCapabilities DuckDbCapabilities = new(SupportsCancel: true, SupportsWindowedRefetch: true);

    /// <inheritdoc />
    public WarehouseCapabilities Capabilities => DuckDbCapabilities;

    /// <inheritdoc />
    public ISqlDialect Dialect => DuckDbSqlDialect.Instance;

    /// <inheritdoc />
    public async Task<IWarehouseResultReader> ExecuteAsync(WarehouseQuery query, CancellationToken cancellationToken)
    {
        var connection = new DuckDBConnection(connectionString);
        DuckDBCommand? command = null;
        var registration = default(CancellationTokenRegistration);
        // The time limit interrupts the query like a cancel, and lives as long as the reader.
        var deadline = query.Timeout is { } limit ? new CancellationTokenSource(limit) : null;
        var stop = deadline is null ? cancellationToken : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token).Token;
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            DuckDbSandbox.Apply(connection);
            var sql = Dialect.WrapWithWindow(query.Sql, query.Limit, query.Offset);
            var plan = DuckDbColumnPlan.Describe(connection, sql, query.Parameters);
            command = connection.CreateCommand();
            DuckDbColumnPlan.Bind(command, query.Parameters);
            // The tag goes in front of what runs; DESCRIBE above saw the SQL alone.
            command.CommandText = QueryTag.Prefix(query.Tag, plan?.Rewrite(sql) ?? sql);
            command.UseStreamingMode = true;
            var queryId = Guid.NewGuid().ToString("N");
            if (query.OnStarted is { } onStarted)
            {
                await onStarted(queryId, cancellationToken).ConfigureAwait(false);
            }

            var running = command;
            registration = stop.Register(() => running.Cancel());
            var reader = await Task.Run(() => (DuckDBDataReader)running.ExecuteReader(), cancellationToken).ConfigureAwait(false);
            return new DuckDbResultReader(connection, command, reader, plan, queryId, registration, deadline, query.Timeout);
        }
        catch (Exception e)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            if (command is not null)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            deadline?.Dispose();
            if (e is DuckDBException or OperationCanceledException && !cancellationToken.IsCancellationRequested && deadline?.IsCancellationRequested == true)
            {
                throw WarehouseQueryException.TimedOut(query.Timeout!.Value, e);
            }

            if (e is DuckDBException && !cancellationToken.IsCancellationRequested)
            {
                throw new WarehouseQueryException(e.Message, e);
            }

            if (cancellationToken.IsCancellationRequested && e is DuckDBException)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            throw;
        }
    }
}
