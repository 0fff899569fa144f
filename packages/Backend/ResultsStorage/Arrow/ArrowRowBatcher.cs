using System.Buffers;
using System.Text.Json;
using Apache.Arrow;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.ResultsStorage.Arrow;

/// <summary>
/// Turns stored JSON lines (one object per row keyed by field id) into record batches of at most
/// <see cref="MaxRows"/> rows or about <see cref="MaxVariableBytes"/> bytes of text, whichever comes
/// first, so memory holds one batch whatever the result's size. Each line is read with a
/// <see cref="Utf8JsonReader"/>: no document or string per row.
/// </summary>
public sealed class ArrowRowBatcher : IStoredValueSink
{
    /// <summary>Rows per record batch at most.</summary>
    public const int MaxRows = 64 * 1024;

    /// <summary>Bytes of text a batch collects before it is handed out.</summary>
    public const long MaxVariableBytes = 16 * 1024 * 1024;

    private readonly IReadOnlyList<ResultColumn> _columns;
    private readonly ArrowColumnAppender[] _appenders;
    private readonly StoredRowWalker _walker;

    /// <summary>Prepares the appenders of <paramref name="columns"/>.</summary>
    public ArrowRowBatcher(IReadOnlyList<ResultColumn> columns)
    {
        _columns = columns;
        _appenders = columns.Select(ArrowColumnPlan.AppenderFor).ToArray();
        _walker = new StoredRowWalker(columns);
        Schema = ArrowColumnPlan.SchemaOf(columns, _appenders);
    }

    /// <summary>The schema of every batch.</summary>
    public Schema Schema { get; }

    /// <summary>Rows collected since the last batch.</summary>
    public int Rows { get; private set; }

    /// <summary>True when the rows collected make a batch.</summary>
    public bool IsFull => Rows >= MaxRows || _appenders.Sum(a => a.VariableBytes) >= MaxVariableBytes;

    /// <summary>Adds one row from its JSON line (without the new line).</summary>
    /// <exception cref="ArrowValueException">A value does not fit its column's type; the message names the column.</exception>
    public void Add(ReadOnlySequence<byte> line)
    {
        _walker.Walk(line, this);
        Rows++;
    }

    /// <summary>Adds one row from its JSON line (without the new line).</summary>
    public void Add(ReadOnlySpan<byte> line)
    {
        _walker.Walk(line, this);
        Rows++;
    }

    /// <inheritdoc />
    void IStoredValueSink.OnValue(int ordinal, ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        try
        {
            _appenders[ordinal].Append(ref reader, line);
        }
        catch (ArrowValueException e)
        {
            throw new ArrowValueException($"Column \"{_columns[ordinal].Reference}\" ({_columns[ordinal].WarehouseType}), row {Rows + 1} of its batch: {e.Message}");
        }
    }

    /// <inheritdoc />
    void IStoredValueSink.OnNull(int ordinal) => _appenders[ordinal].AppendNull();

    /// <summary>The rows collected as a record batch; the batcher starts empty again.</summary>
    public RecordBatch Build()
    {
        var arrays = _appenders.Select(a => a.Build()).ToArray();
        var batch = new RecordBatch(Schema, arrays, Rows);
        Rows = 0;
        return batch;
    }
}
