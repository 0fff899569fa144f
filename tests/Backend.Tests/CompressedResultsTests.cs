using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static Lightdash.Net.Backend.Tests.RowValues;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Results stored with the default <c>Compression: Gzip</c>: one gzip file whose members each hold one
/// index block, so that a page decompresses only its own blocks.
/// </summary>
[Category(TestCategories.Integration)]
public class CompressedResultsTests
{
    private const int BlockRows = 100;
    private readonly S3RequestLog _s3Requests = new();
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() =>
        _host = await BackendHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["ResultsStorage:PartSizeBytes"] = (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ResultsStorage:IndexBlockRows"] = BlockRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            services => services.AddSingleton<IAmazonS3>(_s3Requests.CreateClient()));

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<byte[]> ReadObjectAsync(string key)
    {
        using var response = await _host.S3.GetObjectAsync(new GetObjectRequest { BucketName = "results", Key = key });
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    private static string[] Decompress(ReadOnlySpan<byte> gzip)
    {
        using var input = new MemoryStream(gzip.ToArray());
        using var unzip = new GZipStream(input, CompressionMode.Decompress);
        using var reader = new StreamReader(unzip, Encoding.UTF8);
        var text = reader.ReadToEnd();
        Assert.That(text, Does.EndWith("\n"));
        return text.Split('\n')[..^1];
    }

    [Test]
    public async Task StoredObject_IsOneGzipFileOfJsonLines_AFractionOfTheirSize()
    {
        var queryUuid = await _host.RunToReadyAsync("select i, 'customer ' || (i % 50) || ' bought item ' || (i % 7) as t from generate_series(1, 2500) i order by i");
        var key = await _host.ResultsFileNameAsync(queryUuid);

        var stored = await ReadObjectAsync(key);
        var lines = Decompress(stored);

        Assert.That(key, Does.EndWith(".jsonl.gz"));
        var metadata = await _host.S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "results", Key = key });
        Assert.That(metadata.Headers.ContentType, Is.EqualTo("application/gzip"));
        Assert.That(lines, Has.Length.EqualTo(2500));
        for (var i = 0; i < lines.Length; i++)
        {
            using var row = JsonDocument.Parse(lines[i]);
            Assert.That(row.RootElement.GetProperty("i").GetInt32(), Is.EqualTo(i + 1));
            Assert.That(row.RootElement.GetProperty("t").GetString(), Is.EqualTo($"customer {(i + 1) % 50} bought item {(i + 1) % 7}"));
        }

        var plainBytes = lines.Sum(l => Encoding.UTF8.GetByteCount(l) + 1);
        Assert.That(stored, Has.Length.LessThan(plainBytes / 3), $"{stored.Length} bytes stored for {plainBytes} bytes of lines");
    }

    [Test]
    public async Task EveryIndexEntry_StartsAGzipMemberHoldingExactlyItsBlock()
    {
        const int rowCount = 1050;
        var queryUuid = await _host.RunToReadyAsync($"select i from generate_series(1, {rowCount}) i order by i");
        var key = await _host.ResultsFileNameAsync(queryUuid);

        var stored = await ReadObjectAsync(key);
        var index = await ReadObjectAsync(key + ".index");
        var offsets = Enumerable.Range(0, index.Length / 8).Select(i => BitConverter.ToInt64(index, i * 8)).ToList();

        // 11 blocks (10 of 100 rows, one of 50), then the size.
        Assert.That(offsets, Has.Count.EqualTo(12));
        Assert.That(offsets[^1], Is.EqualTo(stored.Length));
        for (var block = 0; block < 11; block++)
        {
            var lines = Decompress(stored.AsSpan((int)offsets[block], (int)(offsets[block + 1] - offsets[block])));
            var expected = Enumerable.Range((block * BlockRows) + 1, Math.Min(BlockRows, rowCount - (block * BlockRows)));
            Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("i").GetInt32()), Is.EqualTo(expected), $"block {block}");
        }
    }

    [TestCase(1, 70)]
    [TestCase(2, 70)]
    [TestCase(15, 70)]
    [TestCase(3, 333)]
    [TestCase(1, 1050)]
    public async Task Page_AcrossMembers_HoldsItsRows(int page, int pageSize)
    {
        const int rowCount = 1050;
        var queryUuid = await _host.RunToReadyAsync($"select i, 'row ' || i || repeat('.', i % 17) as label from generate_series(1, {rowCount}) i order by i");

        var (_, body) = await _host.GetPageAsync(queryUuid, page, pageSize);
        var rows = body.GetProperty("results").GetProperty("rows").EnumerateArray().ToList();

        var first = ((page - 1) * pageSize) + 1;
        var expected = Enumerable.Range(first, Math.Min(pageSize, rowCount - first + 1)).Select(i => (long)i).ToList();
        Assert.That(rows.Select(r => Raw(r, "i").GetInt64()), Is.EqualTo(expected));
        Assert.That(rows.Select(r => Raw(r, "label").GetString()), Is.EqualTo(expected.Select(i => $"row {i}" + new string('.', (int)(i % 17)))));
    }

    [Test]
    public async Task IndexAndHotBlocks_AreKeptInMemory_APageOfNewBlocksIsOneRangedGet()
    {
        var queryUuid = await _host.RunToReadyAsync("select i from generate_series(1, 1050) i order by i");
        var key = await _host.ResultsFileNameAsync(queryUuid);
        int Gets(string suffix) => _s3Requests.Requests.Count(r => r == $"GET /results/{key}{suffix}" || r.StartsWith($"GET /results/{key}{suffix}?", StringComparison.Ordinal));

        await _host.GetPageAsync(queryUuid, 1, 100);
        var (indexReads, dataReads) = (Gets(".index"), Gets(""));
        var (_, newBlock) = await _host.GetPageAsync(queryUuid, 9, 100);
        var afterNewBlock = Gets("");
        var (_, sameBlock) = await _host.GetPageAsync(queryUuid, 9, 100);

        Assert.That(Raw(newBlock.GetProperty("results").GetProperty("rows")[0], "i").GetInt64(), Is.EqualTo(801));
        Assert.That(sameBlock.GetProperty("results").GetProperty("rows").ToString(), Is.EqualTo(newBlock.GetProperty("results").GetProperty("rows").ToString()));
        Assert.That(Gets(".index"), Is.EqualTo(indexReads), "no second read of the index");
        Assert.That(afterNewBlock, Is.EqualTo(dataReads + 1), "one ranged GET for blocks not read before");
        Assert.That(Gets(""), Is.EqualTo(afterNewBlock), "none for blocks read before");

        // Quiet: the kept blocks and indexes are let go; the next read goes to S3 again and is the same.
        var blocks = _host.Services.GetRequiredService<ResultsBlockCache>();
        var indexes = _host.Services.GetRequiredService<ResultsIndexCache>();
        Assert.That(blocks.KeptBytes, Is.GreaterThan(0));
        Assert.That(blocks.ReleaseIfQuiet(TimeSpan.FromSeconds(10)), Is.GreaterThan(0));
        Assert.That(indexes.ReleaseIfQuiet(TimeSpan.FromSeconds(10)), Is.GreaterThan(0));
        Assert.That((blocks.KeptBytes, indexes.KeptBytes), Is.EqualTo((0L, 0L)));
        var (_, afterRelease) = await _host.GetPageAsync(queryUuid, 9, 100);
        Assert.That(afterRelease.GetProperty("results").GetProperty("rows").ToString(), Is.EqualTo(newBlock.GetProperty("results").GetProperty("rows").ToString()));
        Assert.That((Gets(".index"), Gets("")), Is.EqualTo((indexReads + 1, afterNewBlock + 1)), "read from S3 again");
    }

    [Test]
    public async Task WarehouseFailureAfterPartsWereUploaded_EndsInErrorWithItsMessage_AndAbortsTheUpload()
    {
        // Digests compress to about half: some 8 MB of gzip (one part and more) go up before row 50,000 fails.
        var queryUuid = await _host.SubmitAsync(
            "select i, (select string_agg(md5(i::text || '-' || j::text), '') from generate_series(1, 10) j) as payload,"
            + " 1 / (50000 - i) as boom from generate_series(1, 60000) i");

        var results = await _host.WaitForFinalStateAsync(queryUuid);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(results.GetProperty("error").GetString(), Does.Contain("division by zero"));
        var abortedKey = await _s3Requests.AssertLastUploadAbortedAsync(_host.S3);
        Assert.That(abortedKey, Does.EndWith(".jsonl.gz"));
    }
}
