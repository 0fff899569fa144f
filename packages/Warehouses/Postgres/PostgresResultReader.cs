using System.Text.Json;
using Lightdash.Net.Common;
using Npgsql;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>Streams a PostgreSQL query's rows in sequential access, one row in memory at a time.</summary>
internal sealed class PostgresResultReader : IWarehouseResultReader
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlBatch _command;
    private readonly NpgsqlDataReader _reader;
    private readonly RowJsonWriter<NpgsqlDataReader> _rowWriter;
    private readonly TimeSpan? _timeout;
    private bool _finished;

    public PostgresResultReader(NpgsqlConnection connection, NpgsqlBatch command, NpgsqlDataReader reader, TimeSpan? timeout)
    {
        _timeout = timeout;
        _connection = connection;
        _command = command;
        _reader = reader;
        WarehouseQueryId = connection.ProcessID.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var columns = new ResultColumn[reader.FieldCount];
        var writers = new Action<NpgsqlDataReader, int, Utf8JsonWriter>[reader.FieldCount];
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var postgresType = reader.GetPostgresType(i);
            var (type, write) = PostgresColumnWriter.For(postgresType.InternalName);
            // The name with its modifiers (numeric(12,4), character varying(20)): clients read a decimal's scale from it.
            columns[i] = new ResultColumn(reader.GetName(i), type, reader.GetDataTypeName(i));
            writers[i] = write;
        }

        Columns = columns;
        _rowWriter = new RowJsonWriter<NpgsqlDataReader>(columns, writers, static _ => false);
    }

    public string? WarehouseQueryId { get; }

    public IReadOnlyList<ResultColumn> Columns { get; }

    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var more = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _finished = !more;
            return more;
        }
        catch (Exception e) when (PostgresErrors.IsWarehouseFailure(e, cancellationToken))
        {
            throw PostgresErrors.ToWarehouseException(e, _timeout);
        }
    }

    public void WriteRow(Utf8JsonWriter writer) => _rowWriter.Write(_reader, writer);

    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            // Stopped early (cancel, failed upload): Npgsql would otherwise read every remaining row
            // on dispose. Ask the server to cancel the query, then drop the connection's state.
            try
            {
                _command.Cancel();
                await _reader.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is PostgresException or NpgsqlException or InvalidOperationException or OperationCanceledException)
            {
                // The query ends with "canceling statement due to user request": expected here.
            }
        }

        await _reader.DisposeAsync().ConfigureAwait(false);
        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
