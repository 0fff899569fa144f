using System.Collections.Concurrent;
using Apache.Arrow;
using Lightdash.Net.Client;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The SDK reads whole results through the chunk manifest (parallel downloads, in order) and as Arrow batches.</summary>
[Category(TestCategories.Integration)]
public class ClientChunkReadingTests
{
    private const string Sql = "select g as id, md5(g::text) as label from generate_series(1, 20000) g order by g";
    private readonly ConcurrentQueue<string> _paths = new();
    private BackendHost _host = null!;
    private LightdashClient _client = null!;
    private Guid _queryUuid;

    private sealed record Row(long Id, string Label);

    /// <summary>Records the path of every request the SDK sends to the backend.</summary>
    private sealed class PathRecorder(ConcurrentQueue<string> paths) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            paths.Enqueue(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [OneTimeSetUp]
    public async Task Start()
    {
        // Many small chunks whose links expire quickly, so that a slow reader needs them renewed.
        _host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["ResultsStorage:IndexBlockRows"] = "500",
            ["ResultsStorage:ChunkTargetBytes"] = "40000",
            ["ResultsStorage:ChunkUrlLifetime"] = "00:00:03",
        });
        _client = new LightdashClient(_host.CreateClientThrough(new PathRecorder(_paths)), _host.AdminToken, new LightdashClientOptions { ChunkParallelism = 3 });
        _queryUuid = await _host.RunToReadyAsync(Sql);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task ReadRows_ThroughTheManifest_KeepsRowOrder_AndNeverUsesTheStream()
    {
        _paths.Clear();
        var manifest = await _client.GetChunkManifestAsync(_host.ProjectUuid, _queryUuid);
        var ids = new List<long>();
        await foreach (var row in _client.ReadRowsAsync<Row>(_host.ProjectUuid, _queryUuid))
        {
            ids.Add(row.Id);
        }

        Assert.That(manifest.Chunks, Has.Count.GreaterThan(5));
        Assert.That(ids, Is.EqualTo(Enumerable.Range(1, 20000).Select(i => (long)i)));
        Assert.That(_paths.Count(p => p.EndsWith("/chunks", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(2));
        Assert.That(_paths.Any(p => p.EndsWith("/results", StringComparison.Ordinal)), Is.False, "rows came from the storage, not through the backend");
    }

    [Test]
    public async Task ReadRows_ASlowReader_GetsExpiredLinksRenewed()
    {
        var client = new LightdashClient(_host.CreateClientThrough(new PathRecorder(_paths)), _host.AdminToken, new LightdashClientOptions { ChunkParallelism = 1 });
        _paths.Clear();
        var ids = new List<long>();
        await foreach (var row in client.ReadRowsAsync<Row>(_host.ProjectUuid, _queryUuid))
        {
            if (ids.Count == 0)
            {
                // Chunks 0 and 1 are fetched already; the reader waits until chunk 2's link has expired.
                await WaitUntilChunkLinkExpiredAsync(2);
            }

            ids.Add(row.Id);
        }

        client.Dispose();
        Assert.That(ids, Is.EqualTo(Enumerable.Range(1, 20000).Select(i => (long)i)));
        Assert.That(_paths.Count(p => p.EndsWith("/chunks", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(2), "the manifest was asked for again");
    }

    /// <summary>
    /// Waits until the link of chunk <paramref name="index"/> in a manifest asked for now (after the reader's
    /// own, so expiring no sooner) is refused by the storage: the reader's link has expired by then too.
    /// </summary>
    private async Task WaitUntilChunkLinkExpiredAsync(int index)
    {
        // A client of its own: its request for the manifest is not one the test counts.
        using var other = new LightdashClient(_host.CreateClient(null), _host.AdminToken);
        var chunk = (await other.GetChunkManifestAsync(_host.ProjectUuid, _queryUuid)).Chunks[index];
        using var plain = new HttpClient();
        await Eventually.UntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, chunk.Url);
                request.Headers.TryAddWithoutValidation("Range", chunk.HttpHeaders["Range"]);
                using var response = await plain.SendAsync(request);
                return response.StatusCode == System.Net.HttpStatusCode.Forbidden;
            },
            TimeSpan.FromSeconds(15),
            $"chunk {index}'s link expiring");
    }

    [Test]
    public async Task ReadArrow_ReturnsTypedRecordBatches()
    {
        long rows = 0, sum = 0;
        await foreach (var batch in _client.ReadArrowAsync(_host.ProjectUuid, _queryUuid))
        {
            using (batch)
            {
                var ids = (Int64Array)batch.Column("id");
                Assert.That(batch.Column("label"), Is.InstanceOf<StringArray>());
                for (var i = 0; i < batch.Length; i++)
                {
                    sum += ids.GetValue(i)!.Value;
                }

                rows += batch.Length;
            }
        }

        Assert.That((rows, sum), Is.EqualTo((20000L, 20000L * 20001 / 2)));
    }

    [Test]
    public async Task ReadRows_OfARunningQuery_IsA409()
    {
        var running = await _host.SubmitAsync("select pg_sleep(5) as slept");

        var error = await Assert.ThrowsAsync<LightdashApiException>(async () =>
        {
            await foreach (var row in _client.ReadRowsAsync<Row>(_host.ProjectUuid, running))
            {
                Assert.Fail($"no row expected: {row}");
            }
        });

        Assert.That(error!.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Conflict));
        await _client.CancelAsync(_host.ProjectUuid, running);
    }
}
