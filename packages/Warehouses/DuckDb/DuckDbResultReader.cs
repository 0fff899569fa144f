using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Lightdash.Net.Common;

namespace Lightdash.Net.Warehouses.DuckDb;

/// <summary>Streams a DuckDB result (streaming mode: one chunk in memory at a time).</summary>
internal sealed class DuckDbResultReader : IWarehouseResultReader
{
    private readonly DuckDBConnection _connection;
    private readonly DuckDBCommand _command;
    private readonly DuckDBDataReader _reader;
    private readonly CancellationTokenRegistration _cancelRegistration;
    private readonly CancellationTokenSource? _deadline;
    private readonly TimeSpan? _timeout;
    private readonly DuckDbLimits _limits;
    private readonly RowJsonWriter<DuckDBDataReader> _rowWriter;

    public DuckDbResultReader(
        DuckDBConnection connection, DuckDBCommand command, DuckDBDataReader reader, DuckDbColumnPlan? plan, string queryId, CancellationTokenRegistration cancelRegistration,
        CancellationTokenSource? deadline, TimeSpan? timeout, DuckDbLimits limits)
    {
        _limits = limits;
        _deadline = deadline;
        _timeout = timeout;
        _connection = connection;
        _command = command;
        _reader = reader;
        _cancelRegistration = cancelRegistration;
        WarehouseQueryId = queryId;
        var columns = new ResultColumn[reader.FieldCount];
        var writers = new Action<DuckDBDataReader, int, Utf8JsonWriter>[reader.FieldCount];
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var type = plan is not null && i < plan.Columns.Count ? plan.Columns[i].Type : reader.GetDataTypeName(i);
            columns[i] = new ResultColumn(reader.GetName(i), DuckDbColumnPlan.DimensionTypeOf(type), type);
            writers[i] = WriterFor(plan is null ? DuckDbColumnPlan.Reading.Native : DuckDbColumnPlan.ReadingOf(type), reader.GetFieldType(i), reader.GetDataTypeName(i));
        }

        Columns = columns;
        _rowWriter = new RowJsonWriter<DuckDBDataReader>(columns, writers, static e => e is DuckDBException);
    }

    public string? WarehouseQueryId { get; }

    public IReadOnlyList<ResultColumn> Columns { get; }

    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // In-process: reading computes the next chunk on this thread.
            return ValueTask.FromResult(_reader.Read());
        }
        catch (Exception e) when (e is DuckDBException or OperationCanceledException && !cancellationToken.IsCancellationRequested && _deadline?.IsCancellationRequested == true)
        {
            throw WarehouseQueryException.TimedOut(_timeout!.Value, e);
        }
        catch (DuckDBException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw DuckDbErrors.ToWarehouseException(e, _limits);
        }
        catch (DuckDBException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    public void WriteRow(Utf8JsonWriter writer) => _rowWriter.Write(_reader, writer);

    private static Action<DuckDBDataReader, int, Utf8JsonWriter> WriterFor(DuckDbColumnPlan.Reading reading, Type fieldType, string driverType) => reading switch
    {
        DuckDbColumnPlan.Reading.Json or DuckDbColumnPlan.Reading.NumberText =>
            static (r, i, w) => w.WriteRawValue(r.GetString(i), skipInputValidation: true),
        DuckDbColumnPlan.Reading.Text => static (r, i, w) => w.WriteStringValue(r.GetString(i)),
        _ when fieldType == typeof(DateTime) && driverType.Equals("TimestampTz", StringComparison.OrdinalIgnoreCase) =>
            // DuckDB hands instants over in UTC: say so in the text.
            static (r, i, w) => w.WriteStringValue(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc)),
        _ when fieldType == typeof(DateTime) => static (r, i, w) => w.WriteStringValue(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Unspecified)),
        _ when fieldType == typeof(TimeOnly) =>
            static (r, i, w) => w.WriteStringValue(r.GetFieldValue<TimeOnly>(i).ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        _ => static (r, i, w) => JsonValues.WriteAny(r.GetValue(i), w),
    };

    public async ValueTask DisposeAsync()
    {
        await _cancelRegistration.DisposeAsync().ConfigureAwait(false);
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _deadline?.Dispose();
    }
}
