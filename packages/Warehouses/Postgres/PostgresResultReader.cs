using System.Text.Json;
using Lightdash.Net.Common;
using Npgsql;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>Streams a PostgreSQL query's rows in sequential access, one row in memory at a time.</summary>
internal sealed class PostgresResultReader : IWarehouseResultReader
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _command;
    private readonly NpgsqlDataReader _reader;
    private readonly JsonEncodedText[] _names;
    private readonly PostgresValueWriter[] _writers;
    private bool _finished;

    public PostgresResultReader(NpgsqlConnection connection, NpgsqlCommand command, NpgsqlDataReader reader)
    {
        _connection = connection;
        _command = command;
        _reader = reader;
        WarehouseQueryId = connection.ProcessID.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var columns = new ResultColumn[reader.FieldCount];
        _names = new JsonEncodedText[reader.FieldCount];
        _writers = new PostgresValueWriter[reader.FieldCount];
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var name = reader.GetName(i);
            var postgresType = reader.GetPostgresType(i);
            var (type, write) = PostgresColumnWriter.For(postgresType.InternalName);
            columns[i] = new ResultColumn(name, type, postgresType.DisplayName);
            _names[i] = JsonEncodedText.Encode(name, JsonSerialization.Encoder);
            _writers[i] = write;
        }

        Columns = columns;
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
            throw PostgresErrors.ToWarehouseException(e);
        }
    }

    public void WriteRow(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        for (var i = 0; i < _writers.Length; i++)
        {
            writer.WritePropertyName(_names[i]);
            if (_reader.IsDBNull(i))
            {
                writer.WriteNullValue();
                continue;
            }

            try
            {
                _writers[i](_reader, i, writer);
            }
            catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException or JsonException)
            {
                throw new WarehouseQueryException($"Cannot read column \"{Columns[i].Reference}\" ({Columns[i].WarehouseType}): {e.Message}", e);
            }
        }

        writer.WriteEndObject();
    }

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
