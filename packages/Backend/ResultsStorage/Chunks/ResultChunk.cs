namespace Lightdash.Net.Backend.ResultsStorage.Chunks;

/// <summary>One chunk of a stored result: whole index blocks, read with one ranged GET.</summary>
/// <param name="Index">Its place in the result, from 0.</param>
/// <param name="RowOffset">The result's row number of its first row, from 0.</param>
/// <param name="RowCount">How many rows it holds.</param>
/// <param name="FirstByte">The stored object's offset of its first byte.</param>
/// <param name="ByteCount">How many stored bytes it spans (compressed, when the result is).</param>
public sealed record ResultChunk(int Index, long RowOffset, long RowCount, long FirstByte, long ByteCount)
{
    /// <summary>The HTTP <c>Range</c> header value that reads exactly this chunk.</summary>
    public string RangeHeader => ResultsBucketClient.RangeHeader(FirstByte, FirstByte + ByteCount - 1);
}
