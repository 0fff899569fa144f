using Lightdash.Net.Common;
using DuckDB.NET.Data;

namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>
/// Runs queries on an embedded DuckDB database (a file, or <c>:memory:</c>) in this process.
/// Queries execute on the thread pool, stream their chunks, and stop on cancel or at their time
/// limit (DuckDB's interrupt). User SQL runs in a sandbox (<see cref="DuckDbSandbox"/>): it reads the
/// project's tables and nothing else, within a memory limit and thread count of its own
/// (<see cref="DuckDbLimits"/>), one statement at a time.
/// </summary>
public sealed class DuckDbWarehouseClient : IWarehouseClient, IAsyncDisposable
{
    private readonly Func<DuckDBConnection> _connect;
    private readonly DuckDBConnection? _database;
    private readonly DuckDbLimits _limits;
    private readonly SemaphoreSlim _anchorLock = new(1, 1);

    // One connection held for the client's life keeps the database instance (its sandbox, its limits and
    // its allocator's background thread, which hands freed memory back) alive between queries. Without
    // it each query's last connection shut the instance down, and what a failed query had taken could
    // stay with the process.
    private DuckDBConnection? _anchor;

    /// <summary>A client of the database a connection string names.</summary>
    /// <param name="connectionString">DuckDB.NET's connection string (<c>Data Source=file.duckdb</c>).</param>
    /// <param name="limits">Its memory and threads; <see cref="DuckDbLimits.Default"/> when null.</param>
    public DuckDbWarehouseClient(string connectionString, DuckDbLimits? limits = null)
        : this(() => new DuckDBConnection(connectionString), null, limits ?? DuckDbLimits.Default)
    {
    }

    private DuckDbWarehouseClient(Func<DuckDBConnection> connect, DuckDBConnection? database, DuckDbLimits limits)
    {
        _connect = connect;
        _database = database;
        _limits = limits;
    }

    /// <summary>
    /// A client of the database (an in-memory one, say) that the open connection <paramref name="database"/>
    /// holds: its connections are duplicates of that one, and disposing the client closes it.
    /// </summary>
    public static DuckDbWarehouseClient Over(DuckDBConnection database, DuckDbLimits limits) => new(database.Duplicate, database, limits);

    private static readonly WarehouseCapabilities DuckDbCapabilities = new(SupportsCancel: true, SupportsWindowedRefetch: true);

    /// <inheritdoc />
    public WarehouseCapabilities Capabilities => DuckDbCapabilities;

    /// <inheritdoc />
    public ISqlDialect Dialect => DuckDbSqlDialect.Instance;

    /// <inheritdoc />
    public async Task<IWarehouseResultReader> ExecuteAsync(WarehouseQuery query, CancellationToken cancellationToken)
    {
        var connection = Connect();
        DuckDBCommand? command = null;
        var registration = default(CancellationTokenRegistration);
        // The time limit interrupts the query like a cancel, and lives as long as the reader.
        var deadline = query.Timeout is { } limit ? new CancellationTokenSource(limit) : null;
        var stop = deadline is null ? cancellationToken : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token).Token;
        try
        {
            await AnchorAsync(cancellationToken).ConfigureAwait(false);
            await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
            DuckDbSandbox.Apply(connection, _limits);
            var sql = Dialect.WrapWithWindow(query.Sql, query.Limit, query.Offset);
            DuckDbStatements.RequireOne(connection, sql);
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
            return new DuckDbResultReader(connection, command, reader, plan, queryId, registration, deadline, query.Timeout, _limits);
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

            if (e is DuckDBException duckDb && !cancellationToken.IsCancellationRequested)
            {
                throw DuckDbErrors.ToWarehouseException(duckDb, _limits);
            }

            if (cancellationToken.IsCancellationRequested && e is DuckDBException)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            throw;
        }
    }

    private DuckDBConnection Connect()
    {
        try
        {
            return _connect();
        }
        catch (ArgumentException e)
        {
            throw WarehouseQueryException.ConnectionFailed($"Not a DuckDB connection string (Data Source=path/to/file.duckdb): {e.Message}", e);
        }
    }

    private static async Task OpenAsync(DuckDBConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or DuckDBException or IOException)
        {
            // An unknown key (a PostgreSQL-style Host=...), a missing folder, a file another process holds.
            throw WarehouseQueryException.ConnectionFailed($"The DuckDB database could not be opened (its connection string is Data Source=path/to/file.duckdb): {e.Message}", e);
        }
    }

    private async Task AnchorAsync(CancellationToken cancellationToken)
    {
        if (_anchor is not null)
        {
            return;
        }

        await _anchorLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_anchor is null)
            {
                var anchor = Connect();
                try
                {
                    await OpenAsync(anchor, cancellationToken).ConfigureAwait(false);
                    DuckDbSandbox.Apply(anchor, _limits);
                    _anchor = anchor;
                }
                catch
                {
                    await anchor.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }
        finally
        {
            _anchorLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_anchor is not null)
        {
            await _anchor.DisposeAsync().ConfigureAwait(false);
            _anchor = null;
        }

        if (_database is not null)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }

        _anchorLock.Dispose();
    }
}
