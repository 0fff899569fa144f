namespace Lightdash.Net.Backend.Results;

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
            _offsets.Add(offset);
            progress?.Report(row, offset);
        }
    }

    /// <summary>The encoded index, closed by the total size.</summary>
    public byte[] Encode(long totalBytes) => ResultsIndex.Encode(_offsets, totalBytes);
}
