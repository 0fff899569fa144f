using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// One row group's values, column by column, in typed arrays (no boxing): filled from the stored rows'
/// tokens by <see cref="StoredRowWalker"/>, written to Parquet, then cleared. Text values are slices of a
/// <see cref="TextArena"/>, not strings. A value the column's kind cannot hold is null in a typed column (as
/// the file's type cannot carry text there). The arrays are rented from the shared array pools and given
/// back on <see cref="Dispose"/>: each export used to allocate some 25 MB of large objects that only a full
/// collection took back, and the large-object heap grew by over 100 MB in a run of Parquet exports.
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
    private readonly TextArena _text = new();

    /// <summary>Buffers of <paramref name="capacity"/> rows for columns of these kinds.</summary>
    public ParquetColumnBuffers(ExportColumnKind[] kinds, int capacity)
    {
        _kinds = kinds;
        _integers = kinds.Select(k => k == ExportColumnKind.WholeNumber ? Rent<long?>(capacity) : null).ToArray();
        _decimals = kinds.Select(k => k == ExportColumnKind.ExactNumber ? Rent<decimal?>(capacity) : null).ToArray();
        _reals = kinds.Select(k => k == ExportColumnKind.RealNumber ? Rent<double?>(capacity) : null).ToArray();
        _dates = kinds.Select(k => k == ExportColumnKind.Date ? Rent<DateOnly?>(capacity) : null).ToArray();
        _times = kinds.Select(k => k is ExportColumnKind.Timestamp or ExportColumnKind.TimestampUtc ? Rent<DateTime?>(capacity) : null).ToArray();
        _flags = kinds.Select(k => k == ExportColumnKind.Boolean ? Rent<bool?>(capacity) : null).ToArray();
        _texts = kinds.Select(k => k is ExportColumnKind.Text or ExportColumnKind.ExactText ? Rent<ReadOnlyMemory<char>?>(capacity) : null).ToArray();
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

    /// <summary>Gives the arrays and the text blocks back to the shared pools.</summary>
    public void Dispose()
    {
        ReturnAll(_integers);
        ReturnAll(_decimals);
        ReturnAll(_reals);
        ReturnAll(_dates);
        ReturnAll(_times);
        ReturnAll(_flags);
        ReturnAll(_texts);
        _text.Dispose();
    }

    private static T[] Rent<T>(int capacity)
    {
        // A rented array holds what its last user left: a value missing from a row must read as null.
        var array = ArrayPool<T>.Shared.Rent(capacity);
        Array.Clear(array);
        return array;
    }

    private static void ReturnAll<T>(T[]?[] arrays)
    {
        for (var i = 0; i < arrays.Length; i++)
        {
            if (arrays[i] is { } array)
            {
                // Text slices point into blocks: cleared, so that a pooled array keeps no block alive.
                ArrayPool<T>.Shared.Return(array, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
                arrays[i] = null;
            }
        }
    }
}
