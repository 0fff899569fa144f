using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// One row group's values, column by column, in typed arrays (no boxing): filled from the stored rows'
/// tokens by <see cref="StoredRowWalker"/>, written to Parquet, then cleared. Text values are slices of a
/// <see cref="TextArena"/>, not strings. A value the column's kind cannot hold is null in a typed column (as
/// the file's type cannot carry text there). The arrays and text blocks come from a <see cref="RowGroupMemory"/>
/// and go back to it on <see cref="Dispose"/>, for the next export.
/// </summary>
public sealed class ParquetColumnBuffers : IStoredValueSink, IDisposable
{
    private readonly ExportColumnKind[] _kinds;
    private readonly long?[]?[] _integers;
    private readonly decimal?[]?[] _decimals;
    private readonly double?[]?[] _reals;
    private readonly DateOnly?[]?[] _dates;
    private readonly DateTime?[]?[] _times;
    private readonly bool?[]?[] _flags;
    private readonly ReadOnlyMemory<char>?[]?[] _texts;
    private readonly RowGroupMemory _memory;
    private readonly TextArena _text;

    /// <summary>Buffers of <paramref name="capacity"/> rows for columns of these kinds, in <paramref name="memory"/>.</summary>
    public ParquetColumnBuffers(ExportColumnKind[] kinds, int capacity, RowGroupMemory memory)
    {
        _kinds = kinds;
        _memory = memory;
        _text = new TextArena(memory);
        _integers = kinds.Select(k => k == ExportColumnKind.WholeNumber ? memory.Take<long?>(capacity) : null).ToArray();
        _decimals = kinds.Select(k => k == ExportColumnKind.ExactNumber ? memory.Take<decimal?>(capacity) : null).ToArray();
        _reals = kinds.Select(k => k == ExportColumnKind.RealNumber ? memory.Take<double?>(capacity) : null).ToArray();
        _dates = kinds.Select(k => k == ExportColumnKind.Date ? memory.Take<DateOnly?>(capacity) : null).ToArray();
        _times = kinds.Select(k => k is ExportColumnKind.Timestamp or ExportColumnKind.TimestampUtc ? memory.Take<DateTime?>(capacity) : null).ToArray();
        _flags = kinds.Select(k => k == ExportColumnKind.Boolean ? memory.Take<bool?>(capacity) : null).ToArray();
        _texts = kinds.Select(k => k is ExportColumnKind.Text or ExportColumnKind.ExactText ? memory.Take<ReadOnlyMemory<char>?>(capacity) : null).ToArray();
    }

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    /// <summary>Ends the row whose values were just given.</summary>
    public void EndRow() => Count++;

    /// <inheritdoc />
    public void OnNull(int ordinal)
    {
        // The arrays are cleared between row groups: a null is already there.
    }

    /// <inheritdoc />
    public void OnValue(int ordinal, ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        var row = Count;
        switch (_kinds[ordinal])
        {
            case ExportColumnKind.WholeNumber when StoredValueReader.TryInt64(ref reader, out var integer):
                _integers[ordinal]![row] = integer;
                break;
            case ExportColumnKind.ExactNumber when StoredValueReader.TryDecimal(ref reader, out var exact):
                _decimals[ordinal]![row] = exact;
                break;
            case ExportColumnKind.RealNumber when StoredValueReader.TryDouble(ref reader, out var real):
                _reals[ordinal]![row] = real;
                break;
            case ExportColumnKind.Date when StoredValueReader.TryDate(ref reader, out var date):
                _dates[ordinal]![row] = date;
                break;
            case ExportColumnKind.Timestamp when StoredValueReader.TryTimestamp(ref reader, out var local):
                _times[ordinal]![row] = local;
                break;
            case ExportColumnKind.TimestampUtc when StoredValueReader.TryInstant(ref reader, out var instant):
                _times[ordinal]![row] = instant;
                break;
            case ExportColumnKind.Boolean when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                _flags[ordinal]![row] = reader.TokenType == JsonTokenType.True;
                break;
            case ExportColumnKind.Text or ExportColumnKind.ExactText:
                _texts[ordinal]![row] = _text.Append(ref reader, line);
                break;
            default:
                // A value the typed column cannot hold stays null; skip its token.
                reader.Skip();
                break;
        }
    }

    /// <summary>Writes column <paramref name="ordinal"/>'s values of the group.</summary>
    public Task WriteColumnAsync(int ordinal, ParquetRowGroupWriter group, DataField field, CancellationToken cancellationToken) => _kinds[ordinal] switch
    {
        ExportColumnKind.WholeNumber => group.WriteAsync(field, (ReadOnlyMemory<long?>)_integers[ordinal].AsMemory(0, Count), cancellationToken: cancellationToken),
        ExportColumnKind.ExactNumber => group.WriteAsync(field, (ReadOnlyMemory<decimal?>)_decimals[ordinal].AsMemory(0, Count), cancellationToken: cancellationToken),
        ExportColumnKind.RealNumber => group.WriteAsync(field, (ReadOnlyMemory<double?>)_reals[ordinal].AsMemory(0, Count), cancellationToken: cancellationToken),
        ExportColumnKind.Date => group.WriteAsync(field, (ReadOnlyMemory<DateOnly?>)_dates[ordinal].AsMemory(0, Count), cancellationToken: cancellationToken),
        ExportColumnKind.Timestamp or ExportColumnKind.TimestampUtc => group.WriteAsync(field, (ReadOnlyMemory<DateTime?>)_times[ordinal].AsMemory(0, Count), cancellationToken: cancellationToken),
        ExportColumnKind.Boolean => group.WriteAsync(field, (ReadOnlyMemory<bool?>)_flags[ordinal].AsMemory(0, Count), cancellationToken: cancellationToken),
        _ => group.WriteAsync(field, (ReadOnlyMemory<ReadOnlyMemory<char>?>)_texts[ordinal].AsMemory(0, Count), cancellationToken: cancellationToken),
    };

    /// <summary>Empties every column for the next row group.</summary>
    public void Clear()
    {
        foreach (var array in _integers.Concat<System.Array?>(_decimals).Concat(_reals).Concat(_dates).Concat(_times).Concat(_flags).Concat(_texts))
        {
            if (array is not null)
            {
                System.Array.Clear(array, 0, Count);
            }
        }

        _text.Clear();
        Count = 0;
    }

    /// <summary>Gives the arrays back to the memory they came from (the text blocks never left it).</summary>
    public void Dispose()
    {
        GiveBack(_integers);
        GiveBack(_decimals);
        GiveBack(_reals);
        GiveBack(_dates);
        GiveBack(_times);
        GiveBack(_flags);
        GiveBack(_texts);
    }

    private void GiveBack<T>(T[]?[] arrays)
    {
        for (var i = 0; i < arrays.Length; i++)
        {
            if (arrays[i] is { } array)
            {
                _memory.Give(array);
                arrays[i] = null;
            }
        }
    }
}
