using System.Buffers;
using System.Text;
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
public sealed class ArrowRowBatcher
{
    /// <summary>Rows per record batch at most.</summary>
    public const int MaxRows = 64 * 1024;

    /// <summary>Bytes of text a batch collects before it is handed out.</summary>
    public const long MaxVariableBytes = 16 * 1024 * 1024;

    private readonly IReadOnlyList<ResultColumn> _columns;
    private readonly ArrowColumnAppender[] _appenders;
    private readonly Dictionary<string, int> _ordinals;
    private readonly byte[][] _names;
    private readonly bool[] _seen;
    private byte[] _contiguous = new byte[4096];

    /// <summary>Prepares the appenders of <paramref name="columns"/>.</summary>
    public ArrowRowBatcher(IReadOnlyList<ResultColumn> columns)
    {
        _columns = columns;
        _appenders = columns.Select(ArrowColumnPlan.AppenderFor).ToArray();
        _ordinals = columns.Select((c, i) => (c.Reference, i)).ToDictionary(p => p.Reference, p => p.i, StringComparer.Ordinal);
        _names = columns.Select(c => Encoding.UTF8.GetBytes(c.Reference)).ToArray();
        _seen = new bool[columns.Count];
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
        if (line.IsSingleSegment)
        {
            Add(line.FirstSpan);
            return;
        }

        var length = checked((int)line.Length);
        if (_contiguous.Length < length)
        {
            _contiguous = new byte[Math.Max(length, _contiguous.Length * 2)];
        }

        line.CopyTo(_contiguous);
        Add(_contiguous.AsSpan(0, length));
    }

    /// <summary>Adds one row from its JSON line (without the new line).</summary>
    public void Add(ReadOnlySpan<byte> line)
    {
        System.Array.Clear(_seen);
        var reader = new Utf8JsonReader(line);
        reader.Read();
        var position = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Stored rows list their columns in order: the expected name is checked first.
            var ordinal = position < _names.Length && reader.ValueTextEquals(_names[position]) ? position : OrdinalOf(ref reader);
            reader.Read();
            position = ordinal + 1;
            if (ordinal < 0)
            {
                reader.Skip();
                continue;
            }

            _seen[ordinal] = true;
            if (reader.TokenType == JsonTokenType.Null)
            {
                _appenders[ordinal].AppendNull();
                continue;
            }

            try
            {
                _appenders[ordinal].Append(ref reader, line);
            }
            catch (ArrowValueException e)
            {
                throw new ArrowValueException($"Column \"{_columns[ordinal].Reference}\" ({_columns[ordinal].WarehouseType}), row {Rows + 1} of its batch: {e.Message}");
            }
        }

        for (var i = 0; i < _seen.Length; i++)
        {
            if (!_seen[i])
            {
                _appenders[i].AppendNull();
            }
        }

        Rows++;
    }

    /// <summary>The rows collected as a record batch; the batcher starts empty again.</summary>
    public RecordBatch Build()
    {
        var arrays = _appenders.Select(a => a.Build()).ToArray();
        var batch = new RecordBatch(Schema, arrays, Rows);
        Rows = 0;
        return batch;
    }

    private int OrdinalOf(ref Utf8JsonReader reader) =>
        _ordinals.TryGetValue(reader.GetString()!, out var ordinal) ? ordinal : -1;
}
