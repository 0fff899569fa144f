using System.IO.Compression;
using System.Text;
using Amazon.S3.Model;
using Lightdash.Net.Backend.ResultsStorage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Reading a whole stored result from the S3 server: a gzip result is asked for as the range of all its bytes
/// (so that the SDK does not hash it with MD5 as well), and gzip's own CRC-32 still catches a damaged object.
/// </summary>
public class StoredLinesReadTests
{
    private const string Lines = "{\"n\":1}\n{\"n\":2,\"label\":\"été\"}\n";

    private static byte[] Gzip(string text)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return compressed.ToArray();
    }

    private static async Task<(ResultsBucketClient Storage, S3RequestLog Log, string Key)> StoreAsync(string name, byte[] bytes)
    {
        var log = new S3RequestLog();
        var s3 = log.CreateClient();
        var key = $"{TestPrefixes.New()}{name}";
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "results", Key = key, InputStream = new MemoryStream(bytes), UseChunkEncoding = false });
        var storage = new ResultsBucketClient(s3, Options.Create(new ResultsStorageOptions()), new PartBufferPool(1), NullLogger<ResultsBucketClient>.Instance);
        return (storage, log, key);
    }

    private static async Task<string> ReadAsync(ResultsBucketClient storage, string key)
    {
        await using var lines = await StoredLines.OpenAsync(storage, key, CancellationToken.None);
        using var reader = new StreamReader(lines, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Test]
    public async Task AGzipResult_IsReadWholeAsTheRangeOfAllItsBytes()
    {
        var stored = Gzip(Lines);
        var (storage, log, key) = await StoreAsync("whole.jsonl.gz", stored);

        Assert.That(await ReadAsync(storage, key), Is.EqualTo(Lines));
        Assert.That(log.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(log.Ranges, Is.EqualTo(new[] { $"bytes=0-{stored.Length - 1}" }), "the one GET asks for the range of every byte");
    }

    [Test]
    public async Task AGzipResultWhoseChecksumDoesNotMatch_FailsToRead()
    {
        var damaged = Gzip(Lines);
        damaged[^8] ^= 1; // the member's CRC-32
        var (storage, _, key) = await StoreAsync("damaged.jsonl.gz", damaged);

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(storage, key));
    }

    [Test]
    public async Task AnEmptyObject_IsEmpty_WithoutAGet()
    {
        var (storage, log, key) = await StoreAsync("empty.jsonl.gz", []);

        Assert.That(await ReadAsync(storage, key), Is.Empty);
        Assert.That(log.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)), Is.Zero, "an empty object has no range to ask for");
    }
}
