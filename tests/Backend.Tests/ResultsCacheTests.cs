using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Reusing fresh results: hit and miss rules, the TTL buffer, per-project TTL, invalidateCache.</summary>
[Category(TestCategories.Integration)]
public class ResultsCacheTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() =>
        _host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["Projects:Items:1:ResultsCacheTtl"] = "00:20:00" });

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private static string UniqueSql(string body = "select i from generate_series(1, 30) i order by i") => $"{body} -- {Guid.NewGuid():N}";

    [Test]
    public async Task SameSqlTwice_SecondReusesTheStoredResult()
    {
        var sql = UniqueSql();
        var first = await _host.RunToReadyAsync(sql);

        var second = await _host.ExecuteAsync(new { sql });
        var secondUuid = second.GetProperty("queryUuid").GetGuid();
        var cacheMetadata = second.GetProperty("cacheMetadata");

        Assert.That(secondUuid, Is.Not.EqualTo(first));
        Assert.That(cacheMetadata.GetProperty("cacheHit").GetBoolean(), Is.True);
        Assert.That(cacheMetadata.GetProperty("cacheExpiresAt").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow.AddHours(24)).Within(TimeSpan.FromMinutes(2)));
        Assert.That(cacheMetadata.GetProperty("cacheUpdatedTime").GetDateTimeOffset(), Is.LessThanOrEqualTo(DateTimeOffset.UtcNow));
        var (_, page) = await _host.GetPageAsync(secondUuid);
        Assert.That(page.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("ready"), "a cache hit is ready at once");
        Assert.That(RowValues.Longs(page.GetProperty("results"), "i"), Is.EqualTo(Enumerable.Range(1, 30).Select(i => (long)i)));
        Assert.That(await _host.HistoryValueAsync<string>(secondUuid, "results_file_name"), Is.EqualTo(await _host.HistoryValueAsync<string>(first, "results_file_name")));
        Assert.That(await _host.HistoryValueAsync<bool>(secondUuid, "cache_hit"), Is.True);
    }

    [Test]
    public async Task DifferentLimitOrSqlOrProject_IsAMiss()
    {
        var sql = UniqueSql();
        await _host.RunToReadyAsync(sql);

        Assert.That((await _host.ExecuteAsync(new { sql, limit = 5 })).GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.False);
        Assert.That((await _host.ExecuteAsync(new { sql = sql + " " })).GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.True, "surrounding white space is trimmed");
        Assert.That((await _host.ExecuteAsync(new { sql = sql.Replace("30", "31", StringComparison.Ordinal) })).GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.False);
        Assert.That((await _host.ExecuteAsync(new { sql }, _host.OtherProjectUuid)).GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.False);
    }

    [Test]
    public async Task InvalidateCache_RunsTheQueryAgain()
    {
        var sql = UniqueSql();
        var first = await _host.RunToReadyAsync(sql);

        var again = await _host.ExecuteAsync(new { sql, invalidateCache = true });
        var againUuid = again.GetProperty("queryUuid").GetGuid();
        await _host.WaitForFinalStateAsync(againUuid);

        Assert.That(again.GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.False);
        Assert.That(await _host.HistoryValueAsync<string>(againUuid, "results_file_name"), Is.Not.EqualTo(await _host.HistoryValueAsync<string>(first, "results_file_name")));
    }

    [Test]
    public async Task FailedQueries_AreNeverReused()
    {
        var sql = UniqueSql("select * from table_that_is_missing");
        await _host.WaitForFinalStateAsync(await _host.SubmitAsync(sql));

        var again = await _host.ExecuteAsync(new { sql });

        Assert.That(again.GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.False);
        Assert.That((await _host.WaitForFinalStateAsync(again.GetProperty("queryUuid").GetGuid())).GetProperty("status").GetString(), Is.EqualTo("error"));
    }

    // Default TTL 24 h: a hit needs min(10 min, 6 h) = 10 min of life left.
    [TestCase(11, true)]
    [TestCase(9, false)]
    public async Task TtlBuffer_DefaultTtl_NeedsTenMinutesLeft(int minutesLeft, bool hit)
    {
        var sql = UniqueSql();
        var first = await _host.RunToReadyAsync(sql);
        await _host.Metadata.ExecuteAsync($"update query_history set results_expires_at = now() + interval '{minutesLeft} minutes' where query_uuid = '{first}'");

        var again = await _host.ExecuteAsync(new { sql });

        Assert.That(again.GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.EqualTo(hit));
    }

    // The other project keeps results 20 min: a hit needs min(10 min, 5 min) = 5 min of life left.
    [TestCase(6, true)]
    [TestCase(4, false)]
    public async Task TtlBuffer_ProjectTtl_NeedsAQuarterOfItLeft(int minutesLeft, bool hit)
    {
        var sql = UniqueSql();
        var first = await _host.RunToReadyAsync(sql, projectUuid: _host.OtherProjectUuid);
        var expiresIn = await _host.Metadata.ScalarAsync<double>($"select extract(epoch from results_expires_at - results_created_at)::float8 from query_history where query_uuid = '{first}'");
        Assert.That(expiresIn, Is.EqualTo(20 * 60).Within(1), "the project's TTL sets the expiry");
        await _host.Metadata.ExecuteAsync($"update query_history set results_expires_at = now() + interval '{minutesLeft} minutes' where query_uuid = '{first}'");

        var again = await _host.ExecuteAsync(new { sql }, _host.OtherProjectUuid);

        Assert.That(again.GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.EqualTo(hit));
    }
}
