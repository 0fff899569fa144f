using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The chunk manifest: presigned links to whole blocks of the stored result, fetched with a plain HTTP client.</summary>
[Category(TestCategories.Integration)]
public class ResultChunksTests
{
    private const string Sql = "select g as id, md5(g::text) as label, g % 7 = 0 as seventh, (g * 0.25)::numeric(12,2) as amount from generate_series(1, 20000) g order by g";
    // The backend's clock: link expiries are read from it, and the test moves it instead of waiting.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private BackendHost _host = null!;
    private Guid _queryUuid;

    [OneTimeSetUp]
    public async Task Start()
    {
        // Small blocks and chunks, so that 20,000 rows make several of each.
        _host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["ResultsStorage:IndexBlockRows"] = "500",
            ["ResultsStorage:ChunkTargetBytes"] = "60000",
        }, services => services.AddSingleton<TimeProvider>(_clock));
        _queryUuid = await _host.RunToReadyAsync(Sql);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> ManifestAsync(Guid queryUuid, HttpClient? client = null)
    {
        using var response = await (client ?? _host.Client).GetAsync($"{_host.QueryPath()}/{queryUuid}/chunks");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Downloads one chunk as a program would: no token, the manifest's headers, the bytes as stored.</summary>
    private static async Task<byte[]> DownloadAsync(HttpClient plain, JsonElement chunk, string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, chunk.GetProperty("url").GetString());
        foreach (var header in chunk.GetProperty("httpHeaders").EnumerateObject())
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
        }

        using var response = await plain.SendAsync(request);
        Assert.That(response.IsSuccessStatusCode, Is.True, $"chunk {chunk.GetProperty("chunkIndex")}: {response.StatusCode}");
        var stored = await response.Content.ReadAsByteArrayAsync();
        Assert.That(stored, Has.Length.EqualTo(chunk.GetProperty("byteCount").GetInt64()));
        if (encoding == "identity")
        {
            return stored;
        }

        using var gzip = new GZipStream(new MemoryStream(stored), CompressionMode.Decompress);
        using var plainBytes = new MemoryStream();
        await gzip.CopyToAsync(plainBytes);
        return plainBytes.ToArray();
    }

    [Test]
    public async Task Chunks_DownloadedWithoutAToken_ReassembleTheWholeResultInOrder()
    {
        var (status, body) = await ManifestAsync(_queryUuid);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var manifest = body.GetProperty("results");
        var chunks = manifest.GetProperty("chunks").EnumerateArray().ToArray();
        var encoding = manifest.GetProperty("encoding").GetString()!;

        using var plain = new HttpClient();
        var parts = await Task.WhenAll(chunks.Select(c => DownloadAsync(plain, c, encoding)));
        var whole = await _host.Client.GetByteArrayAsync($"{_host.QueryPath()}/{_queryUuid}/results");

        Assert.That(manifest.GetProperty("format").GetString(), Is.EqualTo("jsonl"));
        Assert.That(encoding, Is.EqualTo("gzip"));
        Assert.That(chunks, Has.Length.GreaterThan(3));
        Assert.That(manifest.GetProperty("totalChunkCount").GetInt32(), Is.EqualTo(chunks.Length));
        Assert.That(manifest.GetProperty("totalRowCount").GetInt64(), Is.EqualTo(20000));
        Assert.That(manifest.GetProperty("truncated").GetBoolean(), Is.False);
        Assert.That(manifest.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("reference").GetString()), Is.EqualTo(new[] { "id", "label", "seventh", "amount" }));
        Assert.That(chunks.Sum(c => c.GetProperty("byteCount").GetInt64()), Is.EqualTo(manifest.GetProperty("totalByteCount").GetInt64()));
        long expectedOffset = 0;
        for (var i = 0; i < chunks.Length; i++)
        {
            Assert.That(chunks[i].GetProperty("chunkIndex").GetInt32(), Is.EqualTo(i));
            Assert.That(chunks[i].GetProperty("rowOffset").GetInt64(), Is.EqualTo(expectedOffset));
            Assert.That(parts[i].Count(b => b == (byte)'\n'), Is.EqualTo(chunks[i].GetProperty("rowCount").GetInt64()), $"rows of chunk {i}");
            expectedOffset += chunks[i].GetProperty("rowCount").GetInt64();
        }

        Assert.That(expectedOffset, Is.EqualTo(20000));
        Assert.That(parts.SelectMany(p => p).ToArray(), Is.EqualTo(whole), "the chunks, in order, are the whole result");
    }

    [Test]
    public async Task ChunkLinks_SignTheirRange_AndExpireAsConfigured()
    {
        var (_, body) = await ManifestAsync(_queryUuid);
        var manifest = body.GetProperty("results");
        var chunk = manifest.GetProperty("chunks")[1];
        var url = chunk.GetProperty("url").GetString()!;
        var range = chunk.GetProperty("httpHeaders").GetProperty("Range").GetString();

        Assert.That(url, Does.Contain("X-Amz-SignedHeaders=host%3Brange"), "the range is part of the signature");
        Assert.That(url, Does.Not.Contain(_host.AdminToken));
        Assert.That(range, Does.Match(@"^bytes=\d+-\d+$"));
        Assert.That(manifest.GetProperty("expiresAt").GetDateTimeOffset(), Is.EqualTo(_clock.GetUtcNow().AddMinutes(15)).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(chunk.GetProperty("expiresAt").GetDateTimeOffset(), Is.EqualTo(manifest.GetProperty("expiresAt").GetDateTimeOffset()));
    }

    [Test]
    public async Task Manifest_AskedAgain_RenewsTheLinks()
    {
        var (_, first) = await ManifestAsync(_queryUuid);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var (_, second) = await ManifestAsync(_queryUuid);
        var firstExpiry = first.GetProperty("results").GetProperty("expiresAt").GetDateTimeOffset();
        var secondExpiry = second.GetProperty("results").GetProperty("expiresAt").GetDateTimeOffset();

        Assert.That(secondExpiry, Is.EqualTo(firstExpiry.AddMinutes(1)).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(second.GetProperty("results").GetProperty("chunks")[0].GetProperty("url").GetString(),
            Is.Not.EqualTo(first.GetProperty("results").GetProperty("chunks")[0].GetProperty("url").GetString()));
    }

    [Test]
    public async Task Manifest_OfALimitedQuery_SaysTruncated_AndOfAnEmptyOne_HasNoChunks()
    {
        var limited = await _host.RunToReadyAsync("select g from generate_series(1, 5000) g", limit: 1200);
        var empty = await _host.RunToReadyAsync("select 1 as one where false");

        var (_, limitedBody) = await ManifestAsync(limited);
        var (_, emptyBody) = await ManifestAsync(empty);

        Assert.That(limitedBody.GetProperty("results").GetProperty("truncated").GetBoolean(), Is.True);
        Assert.That(limitedBody.GetProperty("results").GetProperty("totalRowCount").GetInt64(), Is.EqualTo(1200));
        Assert.That(emptyBody.GetProperty("results").GetProperty("totalChunkCount").GetInt32(), Is.Zero, emptyBody.ToString());
        Assert.That(emptyBody.GetProperty("results").GetProperty("chunks").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Manifest_OfAnotherUsersQuery_Is404_AndOfARunningQuery_Is409()
    {
        using var member = await _host.CreateMemberClientAsync($"chunks-{Guid.NewGuid():N}@example.com", "developer");
        var running = await _host.SubmitAsync("select pg_sleep(5) as slept");

        var (otherStatus, _) = await ManifestAsync(_queryUuid, member);
        var (runningStatus, runningBody) = await ManifestAsync(running);

        Assert.That(otherStatus, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(runningStatus, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(runningBody.GetProperty("error").GetProperty("message").GetString(), Does.Contain("available once it is ready"));
        await _host.Client.PostAsync($"{_host.QueryPath()}/{running}/cancel", null);
    }
}
