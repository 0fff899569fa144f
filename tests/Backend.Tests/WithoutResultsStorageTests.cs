using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Without S3 the query still runs, and each page is re-fetched from the warehouse: the same pages as with S3.</summary>
[Category(TestCategories.Integration)]
public class WithoutResultsStorageTests
{
    private const string Sql = "select i, 'row ' || i as label, i % 3 = 0 as third, (i * 1.5)::numeric(10,1) as amount from generate_series(1, 1234) i order by i";
    private BackendHost _withS3 = null!;
    private BackendHost _withoutS3 = null!;
    private Guid _storedQuery;
    private Guid _refetchedQuery;

    [OneTimeSetUp]
    public async Task Start()
    {
        _withS3 = await BackendHost.StartAsync();
        _withoutS3 = await BackendHost.StartAsync(new Dictionary<string, string?> { ["ResultsStorage:Enabled"] = "false" });
        _storedQuery = await _withS3.RunToReadyAsync(Sql);
        _refetchedQuery = await _withoutS3.RunToReadyAsync(Sql);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _withS3.DisposeAsync();
        await _withoutS3.DisposeAsync();
    }

    [TestCase(1, 500)]
    [TestCase(3, 500)]
    [TestCase(1, 5000)]
    [TestCase(7, 100)]
    [TestCase(13, 100)]
    [TestCase(1234, 1)]
    public async Task Page_WithoutS3_EqualsThePageFromS3(int page, int pageSize)
    {
        var (_, stored) = await _withS3.GetPageAsync(_storedQuery, page, pageSize);
        var (status, refetched) = await _withoutS3.GetPageAsync(_refetchedQuery, page, pageSize);
        var storedResults = stored.GetProperty("results");
        var refetchedResults = refetched.GetProperty("results");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refetched.ToString());
        Assert.That(refetchedResults.GetProperty("rows").GetRawText(), Is.EqualTo(storedResults.GetProperty("rows").GetRawText()));
        Assert.That(refetchedResults.GetProperty("columns").GetRawText(), Is.EqualTo(storedResults.GetProperty("columns").GetRawText()));
        foreach (var field in new[] { "totalResults", "totalPageCount", "page", "pageSize" })
        {
            Assert.That(refetchedResults.GetProperty(field).GetInt64(), Is.EqualTo(storedResults.GetProperty(field).GetInt64()), field);
        }

        Assert.That(storedResults.GetProperty("metadata").GetProperty("source").GetString(), Is.EqualTo("s3"));
        Assert.That(refetchedResults.GetProperty("metadata").GetProperty("source").GetString(), Is.EqualTo("warehouse"));
    }

    [Test]
    public async Task Query_WithoutS3_StoresNoFileButCountsRowsAndColumns()
    {
        var fileName = await _withoutS3.Metadata.ScalarAsync<object>("select results_file_name from query_history where query_uuid = @q", ("q", _refetchedQuery));
        var rows = await _withoutS3.Metadata.ScalarAsync<long>("select total_row_count from query_history where query_uuid = @q", ("q", _refetchedQuery));

        Assert.That(fileName, Is.EqualTo(DBNull.Value));
        Assert.That(rows, Is.EqualTo(1234));
    }

    [Test]
    public async Task Limit_WithoutS3_AppliesToThePages()
    {
        var queryUuid = await _withoutS3.RunToReadyAsync(Sql, limit: 10);

        var (_, body) = await _withoutS3.GetPageAsync(queryUuid, page: 2, pageSize: 4);

        Assert.That(RowValues.Longs(body.GetProperty("results"), "i"), Is.EqualTo(new long[] { 5, 6, 7, 8 }));
        Assert.That((await _withoutS3.GetPageAsync(queryUuid, page: 3, pageSize: 4)).Body.GetProperty("results").GetProperty("rows").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task WholeResults_WithoutS3_AreReFetched()
    {
        using var response = await _withoutS3.Client.GetAsync($"{_withoutS3.QueryPath()}/{_refetchedQuery}/results");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(lines, Has.Length.EqualTo(1234));
        Assert.That(JsonDocument.Parse(lines[^1]).RootElement.GetProperty("label").GetString(), Is.EqualTo("row 1234"));
    }

    [Test]
    public async Task Download_WithoutS3_Returns409()
    {
        using var response = await _withoutS3.Client.PostAsJsonAsync($"{_withoutS3.QueryPath()}/{_refetchedQuery}/download", new { type = "csv" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("results storage"));
    }

    [Test]
    public async Task ChunkManifest_WithoutS3_Returns409NamingTheReason()
    {
        using var response = await _withoutS3.Client.GetAsync($"{_withoutS3.QueryPath()}/{_refetchedQuery}/chunks");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("results storage (S3), and none is configured"));
    }

    [Test]
    public async Task ArrowStream_WithoutS3_IsReFetchedFromTheWarehouse()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_withoutS3.QueryPath()}/{_refetchedQuery}/results");
        request.Headers.Accept.ParseAdd("application/vnd.apache.arrow.stream");
        using var response = await _withoutS3.Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var reader = new Apache.Arrow.Ipc.ArrowStreamReader(await response.Content.ReadAsStreamAsync());
        long rows = 0, sum = 0;
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                var ids = (Apache.Arrow.Int64Array)batch.Column("i");
                rows += batch.Length;
                for (var i = 0; i < batch.Length; i++)
                {
                    sum += ids.GetValue(i)!.Value;
                }
            }
        }

        Assert.That((rows, sum), Is.EqualTo((1234L, 1234L * 1235 / 2)));
    }

    [Test]
    public async Task SdkReadRows_WithoutS3_FallsBackToTheStream()
    {
        using var client = new Lightdash.Net.Client.LightdashClient(_withoutS3.CreateClient(null), _withoutS3.AdminToken);
        var labels = new List<string>();
        await foreach (var row in client.ReadRowsAsync<JsonElement>(_withoutS3.ProjectUuid, _refetchedQuery))
        {
            labels.Add(row.GetProperty("label").GetString()!);
        }

        Assert.That(labels, Is.EqualTo(Enumerable.Range(1, 1234).Select(i => $"row {i}")));
    }

    [Test]
    public async Task Statement_WithBindings_IsReFetchedWithThemToo()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/statements")
        {
            Content = JsonContent.Create(new
            {
                statement = "select i from generate_series(1, 5000) i where i > ? and 'x' <> ? order by i",
                bindings = new Dictionary<string, object> { ["1"] = new { type = "FIXED", value = "4990" }, ["2"] = new { type = "TEXT", value = "x' or 'a'='a" } },
            }),
        };
        request.Headers.Add("X-Lightdash-Project", _withoutS3.ProjectUuid.ToString());
        using var response = await _withoutS3.Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var values = body.GetProperty("data").EnumerateArray().Select(row => row[0].GetString()).ToList();
        Assert.That(values, Is.EqualTo(Enumerable.Range(4991, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }
}
