using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>A query that is not ready yet says how far it came: its place in the queue and why, or what it has written.</summary>
[Category(TestCategories.Integration)]
public class ProgressTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartAsync(new Dictionary<string, string?>
    {
        ["QueryExecution:ProgressInterval"] = "00:00:00.200",
        ["Auth:MaxExecutingQueriesPerUser"] = "1",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task ExecutingQuery_ReportsRowsAndBytesThatGrow_UpToItsTotal()
    {
        const long total = 3_000_000;
        var queryUuid = await _host.SubmitAsync($"select i, repeat('z', 100) as payload from generate_series(1, {total}) i");
        var samples = new List<(long Rows, long Bytes)>();
        var elapsed = new List<long>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        JsonElement results;
        while (true)
        {
            var (_, body) = await _host.GetPageAsync(queryUuid, pageSize: 1);
            results = body.GetProperty("results");
            var status = results.GetProperty("status").GetString();
            if (status == "executing")
            {
                var progress = results.GetProperty("progress");
                samples.Add((progress.GetProperty("rowsWritten").GetInt64(), progress.GetProperty("bytesWritten").GetInt64()));
                elapsed.Add(progress.GetProperty("elapsedMs").GetInt64());
            }
            else if (status is not ("pending" or "queued"))
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(results.GetProperty("totalResults").GetInt64(), Is.EqualTo(total));
        Assert.That(samples.Select(s => s.Rows), Is.Ordered, "rows written never go back");
        Assert.That(samples.Select(s => s.Bytes), Is.Ordered, "bytes written never go back");
        Assert.That(samples.Select(s => s.Rows).Distinct().Count(s => s > 0), Is.GreaterThanOrEqualTo(2), "progress was seen growing while the query ran");
        Assert.That(samples.Max(s => s.Rows), Is.LessThanOrEqualTo(total));
        Assert.That(elapsed, Is.Ordered, "elapsed time never goes back");
        Assert.That(elapsed.Max(), Is.InRange(1, clock.ElapsedMilliseconds), "a real duration, within the test's own");
    }

    [Test]
    public async Task QueuedQuery_SaysItsPlaceAndThatItsUserIsAtTheLimit()
    {
        var running = await _host.SubmitAsync("select pg_sleep(30) as first_of_the_user");
        await _host.WaitForStatusAsync(running, "executing");
        try
        {
            var waiting = await _host.SubmitAsync("select 'second' as second_of_the_user");
            await _host.WaitForStatusAsync(waiting, "queued");

            var (_, body) = await _host.GetPageAsync(waiting);
            var progress = body.GetProperty("results").GetProperty("progress");

            Assert.That(progress.GetProperty("queuePosition").GetInt64(), Is.GreaterThanOrEqualTo(1));
            Assert.That(progress.GetProperty("waitingFor").GetString(), Is.EqualTo("userLimit"));
        }
        finally
        {
            using var cancelled = await _host.Client.PostAsync($"{_host.QueryPath()}/{running}/cancel", null);
        }
    }
}
