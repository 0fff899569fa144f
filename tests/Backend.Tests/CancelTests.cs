using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Cancel stops the work for real and is never overwritten.</summary>
[Category(TestCategories.Integration)]
public class CancelTests
{
    private readonly S3RequestLog _s3Requests = new();
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() =>
        _host = await BackendHost.StartAsync(
            new Dictionary<string, string?> { ["ResultsStorage:PartSizeBytes"] = (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            services => services.AddSingleton<IAmazonS3>(_s3Requests.CreateClient()));

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> CancelAsync(Guid queryUuid, Guid? projectUuid = null)
    {
        using var response = await _host.Client.PostAsync($"{_host.QueryPath(projectUuid)}/{queryUuid}/cancel", null);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<int> WaitForWarehousePidAsync(Guid queryUuid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var pid = await _host.Metadata.ScalarAsync<object>("select coalesce(warehouse_query_id, '') from query_history where query_uuid = @q", ("q", queryUuid));
            if (pid is string text && text.Length > 0)
            {
                return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Query {queryUuid} never reached the warehouse");
    }

    private async Task<bool> IsActiveOnWarehouseAsync(int pid) =>
        await _host.Warehouse.ScalarAsync<long>("select count(*) from pg_stat_activity where pid = @pid and state = 'active'", ("pid", pid)) > 0;

    [Test]
    public async Task Cancel_DuringALongQuery_StopsItOnTheWarehouse()
    {
        var queryUuid = await _host.SubmitAsync("select pg_sleep(60) as slept");
        var pid = await WaitForWarehousePidAsync(queryUuid);
        Assert.That(await IsActiveOnWarehouseAsync(pid), Is.True);

        var (status, body) = await CancelAsync(queryUuid);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(body.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("cancelled"));
        var gone = await Eventually.UntilAsync(async () => !await IsActiveOnWarehouseAsync(pid), TimeSpan.FromSeconds(3), "the warehouse query stopping");
        TestContext.Out.WriteLine($"warehouse query gone {gone.TotalMilliseconds:N0} ms after the cancel answered");
        // The worker has ended once it lets go of its slot: whatever it wrote last is written by then.
        await Eventually.UntilAsync(async () => !await _host.HistoryValueAsync<bool>(queryUuid, "holds_slot"), TimeSpan.FromSeconds(10), "the worker letting go of its slot");
        var (_, page) = await _host.GetPageAsync(queryUuid);
        Assert.That(page.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("cancelled"), "the worker's error must not overwrite cancelled");
    }

    [Test]
    public async Task Cancel_DuringALongUpload_AbortsTheUploadAndLeavesNoObject()
    {
        // About 1 KB a row: far more rows than can be uploaded before the cancel.
        var queryUuid = await _host.SubmitAsync("select i, repeat('z', 1000) as payload from generate_series(1, 5000000) i");
        var pid = await WaitForWarehousePidAsync(queryUuid);
        // This query's own upload (its key is in its history row), not another test's in the shared log.
        var key = await Eventually.ValueAsync(
            async () => await _host.Metadata.ScalarAsync<string>("select coalesce(results_upload_key, '') from query_history where query_uuid = @q", ("q", queryUuid)) is { Length: > 0 } k ? k : null,
            TimeSpan.FromSeconds(30),
            "the upload starting");
        var uploadPath = $"/results/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";
        await Eventually.UntilAsync(
            () => Task.FromResult(_s3Requests.Requests.Any(r => r.StartsWith($"PUT {uploadPath}?", StringComparison.Ordinal) && (r.Contains("partNumber=1&", StringComparison.Ordinal) || r.EndsWith("partNumber=1", StringComparison.Ordinal)))),
            TimeSpan.FromSeconds(30),
            "the first part being uploaded");

        var (status, _) = await CancelAsync(queryUuid);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        await Eventually.UntilAsync(async () => !await IsActiveOnWarehouseAsync(pid), TimeSpan.FromSeconds(3), "the warehouse query stopping");
        await Eventually.UntilAsync(
            () => Task.FromResult(_s3Requests.Requests.Any(r => r.StartsWith($"DELETE {uploadPath}?uploadId=", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10),
            "AbortMultipartUpload being sent");
        // The live copies of the first bytes go right after the abort.
        await Eventually.UntilAsync(
            async () => ((await _host.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "results", Prefix = key })).S3Objects ?? []).Count == 0,
            TimeSpan.FromSeconds(10),
            "no results object left at the cancelled key");
        var (_, page) = await _host.GetPageAsync(queryUuid);
        Assert.That(page.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("cancelled"));
    }

    [Test]
    public async Task Cancel_FinishedQuery_Returns409()
    {
        var queryUuid = await _host.RunToReadyAsync("select 1 as one");

        var (status, body) = await CancelAsync(queryUuid);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("already ready"));
    }

    [Test]
    public async Task Cancel_Twice_SecondReturns409()
    {
        var queryUuid = await _host.SubmitAsync("select pg_sleep(30) as slept");
        Assert.That((await CancelAsync(queryUuid)).Status, Is.EqualTo(HttpStatusCode.OK));

        var (status, body) = await CancelAsync(queryUuid);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("already cancelled"));
    }

    [Test]
    public async Task Cancel_UnknownQuery_Returns404()
    {
        Assert.That((await CancelAsync(Guid.NewGuid())).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Cancel_QueryOfAnotherProject_Returns404()
    {
        var queryUuid = await _host.SubmitAsync("select pg_sleep(5) as slept");

        Assert.That((await CancelAsync(queryUuid, _host.OtherProjectUuid)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        await CancelAsync(queryUuid);
    }

    [Test]
    public async Task CancelledQuery_LateReadyOrErrorNeverOverwritesIt()
    {
        var history = _host.Services.GetRequiredService<QueryHistoryStore>();
        var queryUuid = Guid.NewGuid();
        await history.CreateAsync(new NewQuery(queryUuid, _host.ProjectUuid, "api", "select 1", null, 500, "key"), CancellationToken.None);
        Assert.That(await history.CancelAsync(queryUuid, CancellationToken.None), Is.True);

        Assert.That(await history.TryStartExecutingAsync(queryUuid, "test", CancellationToken.None), Is.Null, "a cancelled query is never claimed");
        Assert.That(await history.MarkErrorAsync(queryUuid, "late error", TimeSpan.FromHours(1), null, CancellationToken.None), Is.False);
        Assert.That(await history.MarkReadyAsync(queryUuid, 0, new StoredResults([], 0, null, 0, null, 0), TimeSpan.FromHours(1), CancellationToken.None), Is.False);
        var stored = await history.FindAsync(queryUuid, CancellationToken.None);
        Assert.That(stored!.StatusName, Is.EqualTo("cancelled"));
        Assert.That(stored.Error, Is.Null);
    }
}
