using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Lightdash.Net.Backend.ResultsStorage.Exports;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Blocks compressed apart make one gzip member: one deflate stream, whose CRC and size cover every block.</summary>
public class GzipSingleMemberTests
{
    private static byte[] Build(IReadOnlyList<byte[]> blocks)
    {
        var output = new ArrayBufferWriter<byte>();
        var crc = new Crc32();
        GzipSingleMember.WriteHeader(output);
        foreach (var block in blocks)
        {
            // Compressed into a buffer of its own, as the parallel writer does, then appended.
            var compressed = new ArrayBufferWriter<byte>();
            GzipSingleMember.CompressBlock(block, compressed);
            output.Write(compressed.WrittenSpan);
            crc.Append(block);
        }

        GzipSingleMember.WriteTrailer(output, crc.GetCurrentHashAsUInt32(), blocks.Sum(b => (long)b.Length));
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Inflate(Stream decompressor)
    {
        using var plain = new MemoryStream();
        decompressor.CopyTo(plain);
        return plain.ToArray();
    }

    [Test]
    public void Blocks_DecodeAsOneMember_ToTheirConcatenation()
    {
        var blocks = Enumerable.Range(0, 5).Select(i => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"row {i},ümlaut,\"quoted\"\r\n", 2000 + i)))).ToList();
        blocks.Insert(2, []);
        var gzip = Build(blocks);
        var expected = blocks.SelectMany(b => b).ToArray();

        var asGzip = Inflate(new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress));
        // The bytes between the 10-byte header and the 8-byte trailer are one deflate stream: a decoder
        // that stops at the first final block (as browsers stop at the first member) still gets everything.
        var asOneStream = Inflate(new DeflateStream(new MemoryStream(gzip, 10, gzip.Length - 18), CompressionMode.Decompress));

        Assert.That(asGzip, Is.EqualTo(expected));
        Assert.That(asOneStream, Is.EqualTo(expected));
        Assert.That(gzip.AsSpan(gzip.Length - 4).ToArray(), Is.EqualTo(BitConverter.GetBytes((uint)expected.Length)));
    }

    [Test]
    public void NoBlocks_IsAValidEmptyFile()
    {
        var gzip = Build([]);

        Assert.That(Inflate(new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress)), Is.Empty);
    }
}
