using System.Net;
using System.Text.Json;
using Amazon.S3.Model;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Pages before the query finishes: once the first parts of a large result have landed, its first
/// pages are served while it still executes (equal to the final pages), pages not stored yet are not;
/// a query that then fails serves no page, and its live copies are gone.
/// </summary>
[Category(TestCategories.Integration)]
public class LivePagesTests
{
    // 400,000 rows of random-looking text (some 25 MB compressed), the last row held back by a sleep.
    private static string SlowTail(string held) => $"""
        select i, repeat(md5(i::text), 4) as filler from generate_series(1, 400000) as i
        where case when i = 399999 then {held} else true end -- {Guid.NewGuid():N}
        """;

    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartAsync(new Dictionary<string, string?>
    {
        ["ResultsStorage:PartSizeBytes"] = (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<JsonElement> FirstLivePageAsync(Guid queryUuid)
    {
        var page = await Eventually.ValueAsync(async () =>
        {
            var (status, body) = await _host.GetPageAsync(queryUuid, page: 1, pageSize: 500);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            var results = body.GetProperty("results");
            Assert.That(results.GetProperty("status").GetString(), Is.AnyOf("pending", "queued", "executing"), "still running while its first pages are read");
            return results.TryGetProperty("rows", out var rows) && rows.ValueKind == JsonValueKind.Array ? new[] { results.Clone() } : null;
        }, TimeSpan.FromSeconds(30), "the first page while executing");
        return page[0];
    }

    [Test]
    public async Task PagesAlreadyStored_AreServedWhileTheQueryRuns_AndEqualTheFinalPages()
    {
        var queryUuid = await _host.SubmitAsync(SlowTail("pg_sleep(6) is not null"));

        var live = await FirstLivePageAsync(queryUuid);
        var (_, beyond) = await _host.GetPageAsync(queryUuid, page: 799, pageSize: 500);
        var final = await _host.WaitForFinalStateAsync(queryUuid, pageSize: 500);

        Assert.That(live.TryGetProperty("totalResults", out var total) ? total.ValueKind : JsonValueKind.Null, Is.EqualTo(JsonValueKind.Null), "the total is not known yet");
        Assert.That(beyond.GetProperty("results").TryGetProperty("rows", out var notYet) ? notYet.ValueKind : JsonValueKind.Null, Is.EqualTo(JsonValueKind.Null), "the last rows are not stored yet");
        Assert.That(final.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(live.GetProperty("rows").ToString(), Is.EqualTo(final.GetProperty("rows").ToString()));
        Assert.That(await LiveObjectsAsync(), Is.Empty, "the live copies are removed once the result is complete");
    }

    [Test]
    public async Task AQueryThatFailsLater_ServesNoPageAfterwards()
    {
        var queryUuid = await _host.SubmitAsync(SlowTail("(pg_sleep(4) is not null and 1 / (i - 399999) = 1)"));

        await FirstLivePageAsync(queryUuid);
        var failed = await _host.WaitForFinalStateAsync(queryUuid, pageSize: 500);
        var (_, after) = await _host.GetPageAsync(queryUuid, page: 1, pageSize: 500);

        Assert.That(failed.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(after.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(after.GetProperty("results").TryGetProperty("rows", out var rows) ? rows.ValueKind : JsonValueKind.Null, Is.EqualTo(JsonValueKind.Null));
        Assert.That(await LiveObjectsAsync(), Is.Empty);
    }

    private async Task<List<string>> LiveObjectsAsync()
    {
        var listed = await _host.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = TestServers.S3Bucket, Prefix = _host.Prefix });
        return [.. (listed.S3Objects ?? []).Select(o => o.Key).Where(k => k.Contains(".live/", StringComparison.Ordinal))];
    }
}
