namespace Lightdash.Net.Backend.ResultsStorage.Chunks;

/// <summary>
/// Groups a stored result's index blocks into chunks of about a target size: each chunk is whole
/// blocks (so with gzip each is a run of whole gzip members, itself a valid gzip file), in order,
/// and together they cover every row and every byte once.
/// </summary>
public static class ResultChunkPlanner
{
    /// <summary>The chunks of a result.</summary>
    /// <param name="index">The whole encoded index: one entry per block and one last entry holding the object's size.</param>
    /// <param name="totalRows">Rows in the result.</param>
    /// <param name="blockRows">Rows per index block.</param>
    /// <param name="targetBytes">About how many stored bytes a chunk spans; a chunk holds at least one block, so a block larger than this is a chunk of its own.</param>
    public static IReadOnlyList<ResultChunk> Plan(ReadOnlySpan<byte> index, long totalRows, int blockRows, long targetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetBytes, 1L);
        var blockCount = ResultsIndex.BlockCount(totalRows, blockRows);
        if (index.Length < (blockCount + 1) * ResultsIndex.EntrySize)
        {
            throw new ResultsStorageException($"The results index holds {index.Length / ResultsIndex.EntrySize} entries; {blockCount + 1} were expected.");
        }

        var chunks = new List<ResultChunk>();
        long block = 0;
        while (block < blockCount)
        {
            var start = ResultsIndex.ReadEntry(index, (int)block);
            var end = block + 1;
            while (end < blockCount && ResultsIndex.ReadEntry(index, (int)(end + 1)) - start <= targetBytes)
            {
                end++;
            }

            var firstRow = block * blockRows;
            var lastRow = Math.Min(end * blockRows, totalRows);
            chunks.Add(new ResultChunk(chunks.Count, firstRow, lastRow - firstRow, start, ResultsIndex.ReadEntry(index, (int)end) - start));
            block = end;
        }

        return chunks;
    }
}
