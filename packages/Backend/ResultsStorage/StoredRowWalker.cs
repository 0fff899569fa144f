using System.Buffers;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Receives the values of one stored row, column by column, from <see cref="StoredRowWalker"/>.</summary>
public interface IStoredValueSink
{
    /// <summary>Column <paramref name="ordinal"/>'s value: <paramref name="reader"/> stands on its token (never a JSON null); <paramref name="line"/> is the whole row.</summary>
    void OnValue(int ordinal, ref Utf8JsonReader reader, ReadOnlySpan<byte> line);

    /// <summary>Column <paramref name="ordinal"/> is null (or absent from the row).</summary>
    void OnNull(int ordinal);
}

/// <summary>
/// Reads stored JSON lines (one object per row keyed by field id) with a <see cref="Utf8JsonReader"/>,
/// handing each column's value token to a sink: no document, no string per key, no boxing. Stored rows
/// list their columns in order, so the expected name is checked first; keys the result does not have are
/// skipped, and columns a row lacks are reported as null. One instance per reader (it keeps a buffer).
/// </summary>
public sealed class StoredRowWalker
{
    private readonly Dictionary<string, int> _ordinals;
    private readonly byte[][] _names;
    private readonly bool[] _seen;
    private byte[] _contiguous = new byte[4096];

    /// <summary>Prepares the names of <paramref name="columns"/>.</summary>
    public StoredRowWalker(IReadOnlyList<ResultColumn> columns)
    {
        _ordinals = columns.Select((c, i) => (c.Reference, i)).ToDictionary(p => p.Reference, p => p.i, StringComparer.Ordinal);
        _names = columns.Select(c => Encoding.UTF8.GetBytes(c.Reference)).ToArray();
        _seen = new bool[columns.Count];
    }

    /// <summary>Walks one row from its JSON line (without the new line).</summary>
    public void Walk<TSink>(ReadOnlySequence<byte> line, TSink sink)
        where TSink : IStoredValueSink
    {
        if (line.IsSingleSegment)
        {
            Walk(line.FirstSpan, sink);
            return;
        }

        var length = checked((int)line.Length);
        if (_contiguous.Length < length)
        {
            _contiguous = new byte[Math.Max(length, _contiguous.Length * 2)];
        }

        line.CopyTo(_contiguous);
        Walk(_contiguous.AsSpan(0, length), sink);
    }

    /// <summary>Walks one row from its JSON line (without the new line).</summary>
    public void Walk<TSink>(ReadOnlySpan<byte> line, TSink sink)
        where TSink : IStoredValueSink
    {
        Array.Clear(_seen);
        var reader = new Utf8JsonReader(line);
        reader.Read();
        var position = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var ordinal = position < _names.Length && reader.ValueTextEquals(_names[position]) ? position : OrdinalOf(ref reader);
            reader.Read();
            if (ordinal < 0)
            {
                reader.Skip();
                continue;
            }

            position = ordinal + 1;
            _seen[ordinal] = true;
            if (reader.TokenType == JsonTokenType.Null)
            {
                sink.OnNull(ordinal);
            }
            else
            {
                sink.OnValue(ordinal, ref reader, line);
            }
        }

        for (var i = 0; i < _seen.Length; i++)
        {
            if (!_seen[i])
            {
                sink.OnNull(i);
            }
        }
    }

    private int OrdinalOf(ref Utf8JsonReader reader) =>
        _ordinals.TryGetValue(reader.GetString()!, out var ordinal) ? ordinal : -1;
}
