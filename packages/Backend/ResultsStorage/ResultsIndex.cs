using System.Buffers.Binary;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// The byte-offset index stored beside each results object: entry <c>i</c> is the offset of row
/// <c>i * blockRows</c>, and one last entry holds the object's size. Entries are little-endian
/// 64-bit integers, so any entry can be fetched with a ranged GET of 8 bytes.
/// </summary>
public static class ResultsIndex
{
    /// <summary>Bytes per entry.</summary>
    public const int EntrySize = sizeof(long);

    /// <summary>Encodes the offsets of every block's first row followed by the total size.</summary>
    public static byte[] Encode(IReadOnlyList<long> blockOffsets, long totalBytes)
    {
        var bytes = new byte[(blockOffsets.Count + 1) * EntrySize];
        for (var i = 0; i < blockOffsets.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * EntrySize), blockOffsets[i]);
        }

        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(blockOffsets.Count * EntrySize), totalBytes);
        return bytes;
    }

    /// <summary>Reads entry <paramref name="index"/> of an encoded index slice.</summary>
    public static long ReadEntry(ReadOnlySpan<byte> slice, int index) =>
        BinaryPrimitives.ReadInt64LittleEndian(slice[(index * EntrySize)..]);

    /// <summary>Blocks of <paramref name="blockRows"/> rows in a result of <paramref name="totalRows"/>; its index has one entry more (the size).</summary>
    public static long BlockCount(long totalRows, int blockRows) => (totalRows + blockRows - 1) / blockRows;

    /// <summary>Which index entries bound the rows <paramref name="startRow"/> (inclusive) to <paramref name="endRow"/> (exclusive).</summary>
    /// <returns>The first entry (the block holding <paramref name="startRow"/>) and the entry just past the block holding the last row.</returns>
    public static (long FirstEntry, long EndEntry) EntriesFor(long startRow, long endRow, long totalRows, int blockRows)
    {
        var blockCount = BlockCount(totalRows, blockRows);
        var first = startRow / blockRows;
        var end = Math.Min((endRow + blockRows - 1) / blockRows, blockCount);
        return (first, end);
    }
}
