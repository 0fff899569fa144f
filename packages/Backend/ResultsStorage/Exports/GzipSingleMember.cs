using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// One gzip member built from blocks compressed apart, in parallel (as pigz does): a gzip header, each
/// block's raw deflate ended by a sync flush (byte-aligned, not final, no shared dictionary), then an empty
/// final block, the CRC-32 of all the plain bytes and their size. Browsers decode only the first member of
/// a gzip file served with <c>Content-Encoding: gzip</c>, so a download must be one member.
/// </summary>
public static class GzipSingleMember
{
    private static ReadOnlySpan<byte> Header => [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff];

    // BFINAL=1, fixed Huffman codes, end of block: 10 bits.
    private static ReadOnlySpan<byte> FinalEmptyBlock => [0x03, 0x00];

    /// <summary>Writes the member's header (no name, no time, unknown OS).</summary>
    public static void WriteHeader(IBufferWriter<byte> output) => output.Write(Header);

    /// <summary>Writes <paramref name="plain"/> as raw deflate (fastest level) ended by a sync flush, so that the next block may follow it.</summary>
    public static void CompressBlock(ReadOnlySpan<byte> plain, IBufferWriter<byte> output)
    {
        var sink = new BufferWriterStream(output);
        using var deflate = new DeflateStream(sink, CompressionLevel.Fastest, leaveOpen: true);
        deflate.Write(plain);
        deflate.Flush();
        // What disposing adds (a final block) would end the stream: the member's trailer ends it instead.
        sink.Cut();
    }

    /// <summary>Ends a deflate stream of sync-flushed blocks: an empty final block (2 bytes).</summary>
    public static int WriteFinalBlock(IBufferWriter<byte> output)
    {
        output.Write(FinalEmptyBlock);
        return FinalEmptyBlock.Length;
    }

    /// <summary>Ends the member: an empty final block, the CRC-32 of every plain byte and their count (modulo 2^32).</summary>
    public static void WriteTrailer(IBufferWriter<byte> output, uint crc32, long plainBytes)
    {
        WriteFinalBlock(output);
        var trailer = output.GetSpan(8);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc32);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)plainBytes));
        output.Advance(8);
    }
}
