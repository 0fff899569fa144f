using System.Net;
using Lightdash.Net.TestSupport;
using static Lightdash.Net.Backend.Tests.RowValues;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Pages of a ready result: sizes, bounds and the edges. Index blocks of 7 rows put block edges inside pages.</summary>
[Category(TestCategories.Integration)]
public class PagingTests
{
    private BackendHost _host = null!;
    private Guid _twentyThreeRows;
    private Guid _twentyRows;
    private Guid _noRows;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["ResultsStorage:IndexBlockRows"] = "7" });
        _twentyThreeRows = await _host.RunToReadyAsync("select i from generate_series(1, 23) i order by i");
        _twentyRows = await _host.RunToReadyAsync("select i from generate_series(1, 20) i order by i");
        _noRows = await _host.RunToReadyAsync("select i from generate_series(1, 10) i where i > 100");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task EmptyResult_HasOneEmptyPage()
    {
        var (status, body) = await _host.GetPageAsync(_noRows);
        var results = body.GetProperty("results");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(results.GetProperty("rows").GetArrayLength(), Is.Zero);
        Assert.That(results.GetProperty("totalResults").GetInt64(), Is.Zero);
        Assert.That(results.GetProperty("totalPageCount").GetInt32(), Is.EqualTo(1));
        Assert.That(results.GetProperty("columns").GetProperty("i").GetProperty("type").GetString(), Is.EqualTo("number"));
        Assert.That(results.TryGetProperty("nextPage", out _), Is.False);
        Assert.That(results.TryGetProperty("previousPage", out _), Is.False);
    }

    [Test]
    public async Task EmptyResult_PageTwo_Returns400()
    {
        var (status, body) = await _host.GetPageAsync(_noRows, page: 2);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("beyond the last page"));
    }

    [Test]
    public async Task ExactMultipleOfPageSize_LastPageIsFullAndHasNoNextPage()
    {
        var (_, body) = await _host.GetPageAsync(_twentyRows, page: 4, pageSize: 5);
        var results = body.GetProperty("results");

        Assert.That(Longs(results, "i"), Is.EqualTo(new long[] { 16, 17, 18, 19, 20 }));
        Assert.That(results.GetProperty("totalPageCount").GetInt32(), Is.EqualTo(4));
        Assert.That(results.GetProperty("pageSize").GetInt32(), Is.EqualTo(5));
        Assert.That(results.GetProperty("previousPage").GetInt32(), Is.EqualTo(3));
        Assert.That(results.TryGetProperty("nextPage", out _), Is.False);
    }

    [Test]
    public async Task ExactMultipleOfPageSize_PageBeyondTheEnd_Returns400()
    {
        var (status, _) = await _host.GetPageAsync(_twentyRows, page: 5, pageSize: 5);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task LastPage_HoldsTheRemainder()
    {
        var (_, body) = await _host.GetPageAsync(_twentyThreeRows, page: 5, pageSize: 5);
        var results = body.GetProperty("results");

        Assert.That(Longs(results, "i"), Is.EqualTo(new long[] { 21, 22, 23 }));
        Assert.That(results.GetProperty("pageSize").GetInt32(), Is.EqualTo(3));
        Assert.That(results.GetProperty("page").GetInt32(), Is.EqualTo(5));
    }

    [Test]
    public async Task MiddlePage_HasNextAndPrevious()
    {
        var (_, body) = await _host.GetPageAsync(_twentyThreeRows, page: 2, pageSize: 5);
        var results = body.GetProperty("results");

        Assert.That(Longs(results, "i"), Is.EqualTo(new long[] { 6, 7, 8, 9, 10 }));
        Assert.That(results.GetProperty("nextPage").GetInt32(), Is.EqualTo(3));
        Assert.That(results.GetProperty("previousPage").GetInt32(), Is.EqualTo(1));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(8)]
    [TestCase(14)]
    [TestCase(22)]
    [TestCase(23)]
    [TestCase(5000)]
    public async Task EveryPageSize_PagesTogetherHoldEveryRowOnce(int pageSize)
    {
        var all = new List<long>();
        for (var page = 1; ; page++)
        {
            var (status, body) = await _host.GetPageAsync(_twentyThreeRows, page, pageSize);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            var results = body.GetProperty("results");
            all.AddRange(Longs(results, "i"));
            if (!results.TryGetProperty("nextPage", out _))
            {
                break;
            }
        }

        Assert.That(all, Is.EqualTo(Enumerable.Range(1, 23).Select(i => (long)i)));
    }

    [Test]
    public async Task NoPageSize_UsesTheDefaultOf500()
    {
        var queryUuid = await _host.RunToReadyAsync("select i from generate_series(1, 1200) i order by i");

        var (_, body) = await _host.GetPageAsync(queryUuid, page: 3);
        var results = body.GetProperty("results");

        Assert.That(results.GetProperty("totalPageCount").GetInt32(), Is.EqualTo(3));
        Assert.That(Longs(results, "i"), Is.EqualTo(Enumerable.Range(1001, 200).Select(i => (long)i)));
    }

    [TestCase(0, null, "page must be 1 or more")]
    [TestCase(-1, null, "page must be 1 or more")]
    [TestCase(null, 0, "pageSize must be between 1 and 5000")]
    [TestCase(null, 5001, "pageSize must be between 1 and 5000")]
    [TestCase(6, 5, "beyond the last page")]
    public async Task BadPageOrPageSize_Returns400WithAMessage(int? page, int? pageSize, string message)
    {
        var (status, body) = await _host.GetPageAsync(_twentyThreeRows, page, pageSize);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(message));
    }

    [Test]
    public async Task PageSizeThatIsNotANumber_Returns400()
    {
        using var response = await _host.Client.GetAsync($"{_host.QueryPath()}/{_twentyRows}?pageSize=many");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
