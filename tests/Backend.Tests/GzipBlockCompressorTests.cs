using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using Lightdash.Net.Backend.ResultsStorage;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The compression stage on its own: lines in, one gzip member per block out, whatever the chunks.</summary>
public class GzipBlockCompressorTests
{
    private static async Task<(byte[] Compressed, List<long> Offsets, long Size)> CompressAsync(string text, int blockRows, int chunkSize)
    {
        var input = new Pipe();
        var output = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var index = new RowOffsetIndexBuilder(blockRows);
        var compress = GzipBlockCompressor.CompressAsync(input.Reader, output.Writer, index, CancellationToken.None);
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var at = 0; at < bytes.Length; at += chunkSize)
        {
            await input.Writer.WriteAsync(bytes.AsMemory(at, Math.Min(chunkSize, bytes.Length - at)));
        }

        await input.Writer.CompleteAsync();
        var size = await compress;
        await output.Writer.CompleteAsync();
        using var compressed = new MemoryStream();
        await output.Reader.CopyToAsync(compressed);
        var encoded = index.Encode(size);
        var offsets = Enumerable.Range(0, encoded.Length / 8).Select(i => BitConverter.ToInt64(encoded, i * 8)).ToList();
        return (compressed.ToArray(), offsets, size);
    }

    private static string Decompress(byte[] gzip, long from, long to)
    {
        using var unzip = new GZipStream(new MemoryStream(gzip, (int)from, (int)(to - from)), CompressionMode.Decompress);
        using var reader = new StreamReader(unzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(4096)]
    public async Task Lines_InAnyChunks_BecomeOneMemberPerBlock(int chunkSize)
    {
        var lines = Enumerable.Range(1, 23).Select(i => $"{{\"i\":{i},\"t\":\"{new string('é', i)}\"}}\n").ToList();

        var (compressed, offsets, size) = await CompressAsync(string.Concat(lines), blockRows: 5, chunkSize);

        Assert.That(size, Is.EqualTo(compressed.Length));
        Assert.That(offsets, Has.Count.EqualTo(6), "5 blocks (4 of 5 lines, one of 3), then the size");
        Assert.That(offsets[0], Is.Zero);
        Assert.That(offsets[^1], Is.EqualTo(size));
        for (var block = 0; block < 5; block++)
        {
            Assert.That(Decompress(compressed, offsets[block], offsets[block + 1]), Is.EqualTo(string.Concat(lines.Skip(block * 5).Take(5))), $"block {block}");
        }

        Assert.That(Decompress(compressed, 0, size), Is.EqualTo(string.Concat(lines)), "the members read as one gzip file");
    }

    [Test]
    public async Task NoLines_WriteNothing()
    {
        var (compressed, offsets, size) = await CompressAsync("", blockRows: 5, chunkSize: 10);

        Assert.That(compressed, Is.Empty);
        Assert.That(size, Is.Zero);
        Assert.That(offsets, Is.EqualTo(new long[] { 0 }), "only the size");
    }

    [Test]
    public async Task ExactlyFullBlocks_LeaveNoEmptyMemberBehind()
    {
        var text = string.Concat(Enumerable.Range(1, 10).Select(i => $"{i}\n"));

        var (compressed, offsets, _) = await CompressAsync(text, blockRows: 5, chunkSize: 3);

        Assert.That(offsets, Has.Count.EqualTo(3));
        Assert.That(Decompress(compressed, offsets[1], offsets[2]), Is.EqualTo("6\n7\n8\n9\n10\n"));
    }
}
