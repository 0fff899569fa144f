using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The whole result as JSON lines, and downloads as CSV or JSONL through presigned links.</summary>
[Category(TestCategories.Integration)]
public class ResultsDownloadTests
{
    private static readonly string[] TrickyTexts = ["plain", "comma, inside", "quote \" inside", "line\nbreak", "crlf\r\nbreak", " padded ", "ümlaut 🎉", ""];
    private BackendHost _host = null!;
    private Guid _queryUuid;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        await _host.Warehouse.ExecuteAsync("create table tricky (id integer, label text, amount numeric, flag boolean, doc jsonb)");
        await using (var connection = new Npgsql.NpgsqlConnection(_host.Warehouse.ConnectionString))
        {
            await connection.OpenAsync();
            for (var i = 0; i < TrickyTexts.Length; i++)
            {
                await using var insert = new Npgsql.NpgsqlCommand("insert into tricky values (@id, @label, @amount, @flag, @doc::jsonb)", connection);
                insert.Parameters.AddWithValue("id", i + 1);
                insert.Parameters.AddWithValue("label", TrickyTexts[i]);
                insert.Parameters.AddWithValue("amount", i % 2 == 0 ? 12.50m : DBNull.Value);
                insert.Parameters.AddWithValue("flag", i % 3 == 0);
                insert.Parameters.AddWithValue("doc", $"{{\"n\": {i}}}");
                await insert.ExecuteNonQueryAsync();
            }
        }

        _queryUuid = await _host.RunToReadyAsync("select * from tricky order by id");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> DownloadAsync(Guid queryUuid, string? type)
    {
        using var response = await _host.Client.PostAsJsonAsync($"{_host.QueryPath()}/{queryUuid}/download", new { type });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Test]
    public async Task WholeResults_StreamEveryRowAsJsonLines()
    {
        using var response = await _host.Client.GetAsync($"{_host.QueryPath()}/{_queryUuid}/results");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
        Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("label").GetString()), Is.EqualTo(TrickyTexts));
    }

    [Test]
    public async Task WholeResults_OfAQueryThatIsNotReady_Returns409()
    {
        var running = await _host.SubmitAsync("select pg_sleep(3) as slept");

        using var response = await _host.Client.GetAsync($"{_host.QueryPath()}/{running}/results");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        await _host.Client.PostAsync($"{_host.QueryPath()}/{running}/cancel", null);
    }

    [Test]
    public async Task Downloads_OfAnEmptyResult_HoldTheHeaderOnly()
    {
        var empty = await _host.RunToReadyAsync("select id, label from tricky where false");

        var (csvStatus, csvBody) = await DownloadAsync(empty, "csv");
        var (jsonlStatus, jsonlBody) = await DownloadAsync(empty, "jsonl");
        using var browser = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip });
        var csv = await browser.GetStringAsync(csvBody.GetProperty("results").GetProperty("fileUrl").GetString());
        var jsonl = await browser.GetStringAsync(jsonlBody.GetProperty("results").GetProperty("fileUrl").GetString());

        Assert.That((csvStatus, jsonlStatus), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)), $"{csvBody} {jsonlBody}");
        Assert.That(csv.TrimEnd(), Is.EqualTo("id,label"));
        Assert.That(jsonl, Is.Empty);
    }

    [Test]
    public async Task CsvDownload_ParsedBack_EqualsTheRows()
    {
        var (status, body) = await DownloadAsync(_queryUuid, "csv");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var url = body.GetProperty("results").GetProperty("fileUrl").GetString()!;
        Assert.That(body.GetProperty("results").GetProperty("truncated").GetBoolean(), Is.False);

        // Stored gzip-compressed and served with Content-Encoding: gzip: a client that decodes it (as browsers do) gets the CSV.
        using var plain = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip });
        var bytes = await plain.GetByteArrayAsync(url);
        var records = new List<string[]>();
        using (var csv = CsvReader.Create(bytes, CsvReaderOptions.Default with { HasHeader = false }))
        {
            while (csv.Read())
            {
                records.Add(Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray());
            }
        }

        Assert.That(bytes.Take(3), Is.Not.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "UTF-8 without a byte order mark");
        Assert.That(records[0], Is.EqualTo(new[] { "id", "label", "amount", "flag", "doc" }));
        Assert.That(records, Has.Count.EqualTo(TrickyTexts.Length + 1));
        for (var i = 0; i < TrickyTexts.Length; i++)
        {
            Assert.That(records[i + 1], Is.EqualTo(new[]
            {
                (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                TrickyTexts[i],
                i % 2 == 0 ? "12.50" : "",
                i % 3 == 0 ? "true" : "false",
                $"{{\"n\": {i}}}",
            }));
        }

        Assert.That(Encoding.UTF8.GetString(bytes), Does.Contain("\"quote \"\" inside\""), "RFC 4180 doubles quotes inside quoted fields");
    }

    [Test]
    public async Task JsonlDownload_LinksToTheStoredResults()
    {
        var (status, body) = await DownloadAsync(_queryUuid, "jsonl");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());

        // The stored result is gzip (a member per block): the link serves it as the .jsonl.gz file it is, not
        // with Content-Encoding: gzip, which browsers would cut at the first member.
        using var plain = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip });
        using var file = await plain.GetAsync(body.GetProperty("results").GetProperty("fileUrl").GetString());
        using var gunzip = new System.IO.Compression.GZipStream(await file.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        var lines = (await new StreamReader(gunzip).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(file.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/gzip"));
        Assert.That(file.Content.Headers.ContentEncoding, Is.Empty);
        Assert.That(file.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Does.EndWith(".jsonl.gz"));
        Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("label").GetString()), Is.EqualTo(TrickyTexts));
        Assert.That(body.GetProperty("results").GetProperty("expiresAt").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow));
    }

    [TestCase("xlsx")]
    [TestCase("pdf")]
    public async Task Download_UnsupportedType_Returns400(string type)
    {
        var (status, body) = await DownloadAsync(_queryUuid, type);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("csv, jsonl"));
    }

    [Test]
    public async Task Download_UnknownQuery_Returns404() =>
        Assert.That((await DownloadAsync(Guid.NewGuid(), "csv")).Status, Is.EqualTo(HttpStatusCode.NotFound));
}
