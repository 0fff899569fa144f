using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static Lightdash.Net.Backend.Tests.RowValues;

namespace Lightdash.Net.Backend.Tests;

/// <summary>What lands in S3 uncompressed (<c>Compression: None</c>): one JSON object per line, its offset index, and multipart uploads for large results.</summary>
[Category(TestCategories.Integration)]
public class StoredResultsTests
{
    private readonly S3RequestLog _s3Requests = new();
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() =>
        _host = await BackendHost.StartAsync(
            new Dictionary<string, string?>
            {
                // The smallest part S3 allows, so that a few MiB of rows span several parts.
                ["ResultsStorage:PartSizeBytes"] = (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ResultsStorage:IndexBlockRows"] = "100",
                ["ResultsStorage:Compression"] = "None",
                // No block cache: every page read goes to S3, streaming its range.
                ["ResultsStorage:BlockCacheBytes"] = "0",
                // Live pages off here (they are on, the default, in the other fixtures): the upload without them.
                ["ResultsStorage:LivePageParts"] = "0",
                // Chunks of one block: composed SQL reads a result of a few blocks from several files.
                ["ResultsStorage:ChunkTargetBytes"] = "1024",
            },
            services => services.AddSingleton<IAmazonS3>(_s3Requests.CreateClient()));

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task StoredObject_IsJsonlWithOneLinePerRow()
    {
        var queryUuid = await _host.RunToReadyAsync("select i, 'text ' || i as t, i % 2 = 0 as even from generate_series(1, 250) i order by i");
        var key = await _host.ResultsFileNameAsync(queryUuid);

        using var response = await _host.S3.GetObjectAsync(new GetObjectRequest { BucketName = "results", Key = key });
        using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
        var content = await reader.ReadToEndAsync();
        var lines = content.Split('\n');

        Assert.That(response.Headers.ContentType, Is.EqualTo("application/jsonl"));
        Assert.That(content, Does.EndWith("\n"));
        Assert.That(lines[..^1], Has.Length.EqualTo(250));
        for (var i = 0; i < 250; i++)
        {
            using var row = JsonDocument.Parse(lines[i]);
            Assert.That(row.RootElement.GetProperty("i").GetInt32(), Is.EqualTo(i + 1));
            Assert.That(row.RootElement.GetProperty("t").GetString(), Is.EqualTo($"text {i + 1}"));
            Assert.That(row.RootElement.GetProperty("even").GetBoolean(), Is.EqualTo((i + 1) % 2 == 0));
        }
    }

    [Test]
    public async Task StoredIndex_HoldsTheOffsetOfEveryBlockAndTheSize()
    {
        var queryUuid = await _host.RunToReadyAsync("select i from generate_series(1, 250) i order by i");
        var key = await _host.ResultsFileNameAsync(queryUuid);

        using var data = await _host.S3.GetObjectAsync(new GetObjectRequest { BucketName = "results", Key = key });
        using var dataReader = new StreamReader(data.ResponseStream);
        var content = Encoding.UTF8.GetBytes(await dataReader.ReadToEndAsync());
        using var index = await _host.S3.GetObjectAsync(new GetObjectRequest { BucketName = "results", Key = key + ".index" });
        using var indexBytes = new MemoryStream();
        await index.ResponseStream.CopyToAsync(indexBytes);
        var offsets = Enumerable.Range(0, (int)(indexBytes.Length / 8)).Select(i => BitConverter.ToInt64(indexBytes.GetBuffer(), i * 8)).ToList();

        // 250 rows in blocks of 100: rows 0, 100 and 200 start blocks, then the size.
        Assert.That(offsets, Has.Count.EqualTo(4));
        Assert.That(offsets[0], Is.Zero);
        Assert.That(Encoding.UTF8.GetString(content, (int)offsets[1], 10), Does.StartWith("{\"i\":101}"));
        Assert.That(Encoding.UTF8.GetString(content, (int)offsets[2], 10), Does.StartWith("{\"i\":201}"));
        Assert.That(offsets[3], Is.EqualTo(content.Length));
    }

    [Test]
    public async Task WithoutBlockCache_EveryPageReadGetsItsRowsFromS3()
    {
        var queryUuid = await _host.RunToReadyAsync("select i from generate_series(1, 250) i order by i");
        var key = await _host.ResultsFileNameAsync(queryUuid);
        int DataGets() => _s3Requests.Requests.Count(r => r == $"GET /results/{key}" || r.StartsWith($"GET /results/{key}?", StringComparison.Ordinal));

        await _host.GetPageAsync(queryUuid, 2, 100);
        var before = DataGets();
        var (_, body) = await _host.GetPageAsync(queryUuid, 2, 100);

        Assert.That(Raw(body.GetProperty("results").GetProperty("rows")[0], "i").GetInt64(), Is.EqualTo(101));
        Assert.That(DataGets(), Is.EqualTo(before + 1));
    }

    [Test]
    public async Task LargeResult_IsUploadedInSeveralParts_AndPagesAcrossPartBoundaries()
    {
        // About 14 MB of rows: three parts of 5 MiB.
        const int rowCount = 60_000;
        var queryUuid = await _host.RunToReadyAsync(
            $"select i, repeat('x', 200) || i::text as payload from generate_series(1, {rowCount}) i order by i");
        var key = await _host.ResultsFileNameAsync(queryUuid);

        var metadata = await _host.S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "results", Key = key });
        Assert.That(metadata.ContentLength, Is.GreaterThan(10 * 1024 * 1024));
        var path = $"/results/{key}";
        Assert.That(_s3Requests.Requests.Count(r => r.StartsWith($"PUT {path}?", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)), Is.EqualTo(3));
        Assert.That(_s3Requests.Requests.Count(r => r.StartsWith($"POST {path}?uploadId=", StringComparison.Ordinal)), Is.EqualTo(1), "one CompleteMultipartUpload");

        var ids = new List<long>();
        for (var page = 1; page <= 12; page++)
        {
            var (_, body) = await _host.GetPageAsync(queryUuid, page, 5000);
            var results = body.GetProperty("results");
            foreach (var row in results.GetProperty("rows").EnumerateArray())
            {
                var id = Raw(row, "i").GetInt64();
                Assert.That(Raw(row, "payload").GetString(), Is.EqualTo(new string('x', 200) + id));
                ids.Add(id);
            }
        }

        Assert.That(ids, Is.EqualTo(Enumerable.Range(1, rowCount).Select(i => (long)i)));
    }

    [Test]
    public async Task FailureAfterSomePartsWereUploaded_AbortsTheUpload_AndLeavesNoObject()
    {
        // Division by zero at row 150,000: about 34 MB (several parts) are produced before it fails, far
        // more than the pipe holds, so the multipart upload is well under way.
        var queryUuid = await _host.SubmitAsync(
            "select i, repeat('y', 200) as payload, 1 / (150000 - i) as boom from generate_series(1, 160000) i");

        var results = await _host.WaitForFinalStateAsync(queryUuid);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(results.GetProperty("error").GetString(), Does.Contain("division by zero"));
        await _s3Requests.AssertLastUploadAbortedAsync(_host.S3);
    }

    [Test]
    public async Task ComposedSql_ReadsAnUncompressedResultAsStored_FromSeveralFiles()
    {
        const string sql = "select i, (i / 3.0)::numeric(10,4) as share from generate_series(1, 250) i order by i";
        var source = await _host.RunToReadyAsync(sql);
        var direct = await _host.WaitForFinalStateAsync(await _host.SubmitAsync("select sum(share) as total from (" + sql + ") t"));

        var (status, body) = await Compose("select i, share, sum(share) over () as total from t order by i", source);

        Assert.That(status, Is.EqualTo(System.Net.HttpStatusCode.OK), body.ToString());
        var rows = body.GetProperty("results").GetProperty("firstPage").GetProperty("rows").EnumerateArray().ToList();
        Assert.That(rows.Select(r => Raw(r, "i").GetInt64()), Is.EqualTo(Enumerable.Range(1, 250).Select(i => (long)i)), "three files of a block each: every row once");
        Assert.That(Raw(rows[0], "share").GetDecimal(), Is.EqualTo(0.3333m));
        Assert.That(Raw(rows[0], "total").GetDecimal(), Is.EqualTo(Raw(direct.GetProperty("rows")[0], "total").GetDecimal()));
    }

    private Task<(System.Net.HttpStatusCode Status, JsonElement Body)> Compose(string sql, Guid source) =>
        BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/compose-sql", new { sql, references = new { t = source }, waitMs = 30_000 });
}
