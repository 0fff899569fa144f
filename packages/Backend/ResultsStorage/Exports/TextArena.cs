using System.Text;
using System.Text.Json;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// The text values of one row group, copied side by side into a few large character blocks instead of a
/// string each: a million-row Parquet export made two million short-lived strings that lived until their
/// row group was encoded, so every young collection copied them on to the older generations. The blocks
/// are reused from one row group to the next (<see cref="Clear"/>) and belong to a <see cref="RowGroupMemory"/>,
/// so that one export after another reuses them too.
/// </summary>
public sealed class TextArena(RowGroupMemory memory)
{
    /// <summary>Characters per block (256 KiB of text).</summary>
    public const int BlockChars = 128 * 1024;

    // The block being filled (its index in the memory, -1 before the first value) and the characters used in it.
    private char[] _current = [];
    private int _block = -1;
    private int _used;

    /// <summary>Characters held in the memory's blocks (for tests and logs).</summary>
    public long CapacityChars => memory.TextBlockCount * (long)BlockChars;

    /// <summary>
    /// Copies the value where <paramref name="reader"/> stands as text, as <see cref="StoredValueReader.Text"/>
    /// reads it (a string unescaped, anything else as its JSON text); <paramref name="line"/> is the whole row.
    /// </summary>
    public ReadOnlyMemory<char> Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                // Unescaping never makes more characters than the token has bytes.
                // (The reader walks one contiguous line: the token is a span.)
                var target = Reserve(reader.ValueSpan.Length);
                return Commit(target, reader.CopyString(target.Span));
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Decode(line[start..(int)reader.BytesConsumed]);
            default:
                return Decode(reader.ValueSpan);
        }
    }

    /// <summary>Forgets every value; the blocks are kept for the next row group.</summary>
    public void Clear()
    {
        _block = -1;
        _used = 0;
    }

    private ReadOnlyMemory<char> Decode(ReadOnlySpan<byte> utf8)
    {
        // UTF-8 never decodes to more characters than it has bytes.
        var target = Reserve(utf8.Length);
        return Commit(target, Encoding.UTF8.GetChars(utf8, target.Span));
    }

    private Memory<char> Reserve(int chars)
    {
        if (chars > BlockChars)
        {
            // A value longer than a block gets an array of its own, not kept for the next row group.
            return new char[chars];
        }

        if (_block < 0 || _used + chars > BlockChars)
        {
            _current = memory.TextBlock(++_block);
            _used = 0;
        }

        return _current.AsMemory(_used, chars);
    }

    private ReadOnlyMemory<char> Commit(Memory<char> reserved, int written)
    {
        // A reservation longer than a block was an array of its own: nothing of a block was used.
        if (reserved.Length <= BlockChars)
        {
            _used += written;
        }

        return reserved[..written];
    }
}
