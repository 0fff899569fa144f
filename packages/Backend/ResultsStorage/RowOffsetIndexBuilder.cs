namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Collects the byte offset of every <c>blockRows</c>-th row while a result is written.</summary>
/// <param name="blockRows">Rows per entry.</param>
/// <param name="progress">Told the rows and bytes reached at each block, when given.</param>
public sealed class RowOffsetIndexBuilder(int blockRows, StoreProgress? progress = null)
{
    private readonly List<long> _offsets = [];

    /// <summary>Rows per entry.</summary>
    public int BlockRows { get; } = blockRows;

    /// <summary>Called before each row is written, with its number (from 0) and starting offset.</summary>
    public void OnRowStart(long row, long offset)
    {
        if (row % BlockRows == 0)
        {
            lock (_offsets)
            {
                _offsets.Add(offset);
            }

            progress?.Report(row, offset);
        }
    }

    /// <summary>The offsets of the blocks that end at or before <paramref name="endByte"/>, then the end of the last of them (read while rows are still written).</summary>
    public IReadOnlyList<long> CompleteBlocksBefore(long endByte)
    {
        lock (_offsets)
        {
            // Block i is complete when block i + 1 has started at or before the end.
            var complete = 0;
            while (complete + 1 < _offsets.Count && _offsets[complete + 1] <= endByte)
            {
                complete++;
            }

            return complete == 0 ? [] : _offsets.GetRange(0, complete + 1);
        }
    }

    /// <summary>The encoded index, closed by the total size.</summary>
    public byte[] Encode(long totalBytes) => ResultsIndex.Encode(_offsets, totalBytes);
}
