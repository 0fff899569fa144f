using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Lightdash.Net.Backend.Deliveries;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Nothing is lost when parts fail for real: a killed backend, a stopped S3 server, a killed warehouse connection, a burst.</summary>
[Category(TestCategories.Integration)]
public class SurvivalTests
{
    // 20,000 rows of 2 KB of hex digits (about 40 MB, 20 MB gzipped: several parts) that arrive over about 4 s:
    // long enough to be interrupted. Digests, not repeated letters, so that compression still leaves several parts.
    private const string SlowStreamingSql =
        "select slow_row(i) as i, (select string_agg(md5(i::text || '-' || j::text), '') from generate_series(1, 64) j) as payload from generate_series(1, 20000) i";

    private const string SlowRowFunction = """
        create function slow_row(i integer) returns integer language sql volatile as
        $$ select i + coalesce((select 0 from pg_sleep(0.2) where i % 1000 = 0), 0) $$
        """;

    private static readonly Dictionary<string, string?> FastLeases = new()
    {
        ["QueryExecution:HeartbeatInterval"] = "00:00:00.500",
        ["QueryExecution:LeaseTimeout"] = "00:00:02",
        // The tests run the reaper themselves.
        ["QueryExecution:ReaperCron"] = "0 0 1 1 *",
        ["ResultsStorage:PartSizeBytes"] = (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Test]
    public async Task BackendKilledWhileStreaming_AnotherInstanceRunsTheQueryAgain_AndTheLeftUploadIsAborted()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        await using var warehouse = await TestDatabase.CreateAsync("wh");
        await warehouse.ExecuteAsync(SlowRowFunction);
        var projectUuid = Guid.NewGuid();
        var settings = BackendHost.BaseSettings(
            metadata.ServiceConnectionString, warehouse.ReaderConnectionString, TestPrefixes.New(), projectUuid, Guid.NewGuid(), Guid.NewGuid(), Path.GetTempFileName());
        foreach (var (key, value) in FastLeases)
        {
            settings[key] = value;
        }

        // 1. A backend process starts the query and is killed while it uploads.
        var (doomed, address) = await ChildProcess.StartBackendAsync(settings.ToDictionary(p => p.Key, p => p.Value!));
        Guid queryUuid;
        string uploadId;
        await using (doomed)
        {
            using var http = new HttpClient { BaseAddress = address };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", settings["Auth:BootstrapAdmin:Token"]);
            using var submitted = await http.PostAsJsonAsync($"/api/v2/projects/{projectUuid}/query/sql", new { sql = SlowStreamingSql });
            queryUuid = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("queryUuid").GetGuid();
            uploadId = await Eventually.ValueAsync(
                async () => await metadata.ScalarAsync<object>($"select results_upload_id from query_history where query_uuid = '{queryUuid}'") as string,
                TimeSpan.FromSeconds(30),
                "the multipart upload starting");
            await doomed.KillAsync();
        }

        Assert.That(await metadata.ScalarAsync<string>($"select status from query_history where query_uuid = '{queryUuid}'"), Is.EqualTo("executing"));
        var uploadKey = await metadata.ScalarAsync<string>($"select results_upload_key from query_history where query_uuid = '{queryUuid}'");

        // 2. Another instance on the same database takes the query over once the lease lapses.
        var requests = new S3RequestLog();
        await using var survivor = await BackendHost.StartAsync(settings, services => services.AddSingleton<IAmazonS3>(requests.CreateClient()));
        await Eventually.ValueAsync(
            async () =>
            {
                using var scope = survivor.Services.CreateScope();
                await scope.ServiceProvider.GetRequiredService<LeaseReaperJob>().RunAsync(CancellationToken.None);
                var status = await metadata.ScalarAsync<string>($"select status from query_history where query_uuid = '{queryUuid}'");
                return status == "executing" && await metadata.ScalarAsync<int>($"select attempt from query_history where query_uuid = '{queryUuid}'") == 1 ? null : status;
            },
            TimeSpan.FromSeconds(30),
            "the reaper taking the query over");
        var final = await survivor.WaitForFinalStateAsync(queryUuid, projectUuid: projectUuid);

        Assert.That(final.GetProperty("status").GetString(), Is.EqualTo("ready"), final.ToString());
        Assert.That(final.GetProperty("totalResults").GetInt64(), Is.EqualTo(20_000));
        Assert.That(await metadata.ScalarAsync<int>($"select attempt from query_history where query_uuid = '{queryUuid}'"), Is.EqualTo(2));
        Assert.That(
            requests.Requests.Any(r => r.StartsWith("DELETE ", StringComparison.Ordinal) && r.Contains($"uploadId={uploadId}", StringComparison.Ordinal)),
            Is.True,
            "the dead worker's upload was aborted");
        var leftovers = await survivor.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "results", Prefix = uploadKey });
        Assert.That(leftovers.S3Objects ?? [], Is.Empty, "the interrupted upload never became an object");
        Assert.That(await metadata.ScalarAsync<long>("select count(*) from query_history where status = 'executing'"), Is.Zero);
    }

    [Test]
    public async Task BackendKilledWhileExporting_AnotherInstanceFinishesTheJob()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        await using var warehouse = await TestDatabase.CreateAsync("wh");
        var projectUuid = Guid.NewGuid();
        var settings = BackendHost.BaseSettings(
            metadata.ServiceConnectionString, warehouse.ReaderConnectionString, TestPrefixes.New(), projectUuid, Guid.NewGuid(), Guid.NewGuid(), Path.GetTempFileName());
        settings["QueryExecution:HeartbeatInterval"] = "00:00:00.300";
        settings["QueryExecution:LeaseTimeout"] = "00:00:02";
        settings["QueryExecution:ReaperCron"] = "0 0 1 1 *";

        // 1. A backend process exports a large result and is killed while it writes.
        var (doomed, address) = await ChildProcess.StartBackendAsync(settings.ToDictionary(p => p.Key, p => p.Value!));
        Guid jobId;
        await using (doomed)
        {
            using var http = new HttpClient { BaseAddress = address };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", settings["Auth:BootstrapAdmin:Token"]);
            using var submitted = await http.PostAsJsonAsync(
                $"/api/v2/projects/{projectUuid}/query/sql", new { sql = "select g as n, md5(g::text) as h from generate_series(1, 1000000) g", waitMs = 30_000 });
            var queryUuid = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("queryUuid").GetGuid();
            await Eventually.UntilAsync(
                async () => await metadata.ScalarAsync<string>($"select coalesce((select status from query_history where query_uuid = '{queryUuid}'), '')") == "ready",
                TimeSpan.FromSeconds(60), "the query being ready");
            using var scheduled = await http.PostAsJsonAsync($"/api/v2/projects/{projectUuid}/query/{queryUuid}/schedule-download", new { type = "xlsx" });
            jobId = (await scheduled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("jobId").GetGuid();
            await Eventually.UntilAsync(
                async () => await metadata.ScalarAsync<long>($"select coalesce((select rows_written from export_jobs where job_id = '{jobId}' and status = 'running'), 0)") > 0,
                TimeSpan.FromSeconds(60), "the export writing rows");
            await doomed.KillAsync();
        }

        Assert.That(await metadata.ScalarAsync<string>($"select status from export_jobs where job_id = '{jobId}'"), Is.EqualTo("running"));

        // 2. Another instance on the same database takes the job over once its lease lapses, and finishes it.
        await using var survivor = await BackendHost.StartAsync(settings);
        await Eventually.UntilAsync(
            async () =>
            {
                await survivor.Services.GetRequiredService<ExportRunner>().ReapAsync(CancellationToken.None);
                return await metadata.ScalarAsync<int>($"select attempt from export_jobs where job_id = '{jobId}'") == 2;
            },
            TimeSpan.FromSeconds(30), "the reaper taking the export over");
        var clock = Stopwatch.StartNew();
        JsonElement job;
        while (true)
        {
            var (_, body) = await BackendHost.SendAsync(survivor.Client, HttpMethod.Get, $"/api/v1/schedulers/job/{jobId}/status");
            job = body.GetProperty("results");
            if (job.GetProperty("status").GetString() != "running" && job.GetProperty("status").GetString() != "queued" || clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.That(job.GetProperty("status").GetString(), Is.EqualTo("completed"), job.ToString());
        Assert.That(job.GetProperty("rowCount").GetInt64(), Is.EqualTo(1_000_000));
    }

    [Test]
    public async Task BackendKilledTooOften_TheQueryFailsWithAClearMessage()
    {
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?>(FastLeases) { ["QueryExecution:MaxAttempts"] = "1" });
        // A query whose worker "died": executing, its last heartbeat long ago.
        var queryUuid = await host.SubmitAsync("select 1 as one -- lapsed");
        await host.WaitForFinalStateAsync(queryUuid);
        await host.Metadata.ExecuteAsync($"update query_history set status = 'executing', attempt = 1, heartbeat_at = now() - interval '1 minute', executing_server = 'gone:1' where query_uuid = '{queryUuid}'");

        using (var scope = host.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<LeaseReaperJob>().RunAsync(CancellationToken.None);
        }

        var final = await host.WaitForFinalStateAsync(queryUuid);
        Assert.That(final.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(final.GetProperty("error").GetString(), Does.Contain("stopped responding").And.Contain("gone:1"));
    }

    [Test]
    public async Task S3StoppedMidUpload_QueryFails_BackendStaysHealthy_AndRecoversWhenS3IsBack()
    {
        var directory = Directory.CreateTempSubdirectory("lightdash-s3-").FullName;
        var (s3, serviceUrl) = await ChildProcess.StartS3ServerAsync(directory);
        await using (s3)
        {
            await using var host = await BackendHost.StartAsync(new Dictionary<string, string?>(FastLeases) { ["ResultsStorage:ServiceUrl"] = serviceUrl });
            await host.Warehouse.ExecuteAsync(SlowRowFunction);
            var queryUuid = await host.SubmitAsync(SlowStreamingSql);
            await Eventually.ValueAsync(
                async () => await host.Metadata.ScalarAsync<object>($"select results_upload_id from query_history where query_uuid = '{queryUuid}'") as string,
                TimeSpan.FromSeconds(30),
                "the multipart upload starting");

            await s3.KillAsync();
            var failed = await host.WaitForFinalStateAsync(queryUuid);

            Assert.That(failed.GetProperty("status").GetString(), Is.EqualTo("error"));
            Assert.That(failed.GetProperty("error").GetString(), Does.StartWith("Results storage"));
            using (var live = await host.Client.GetAsync("/health/live"))
            {
                Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the process stays up");
            }

            using (var ready = await host.Client.GetAsync("/health/ready"))
            {
                var report = await ready.Content.ReadFromJsonAsync<JsonElement>();
                Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(report.GetProperty("checks").GetProperty("resultsStorage").GetProperty("status").GetString(), Is.EqualTo("unhealthy"));
            }

            await s3.StartAsync();
            var later = await host.RunToReadyAsync("select 'back' as state");
            Assert.That(RowValues.Raw((await host.GetPageAsync(later)).Body.GetProperty("results").GetProperty("rows")[0], "state").GetString(), Is.EqualTo("back"));
            using var readyAgain = await host.Client.GetAsync("/health/ready");
            Assert.That(readyAgain.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Directory.Delete(directory, recursive: true);
    }

    [Test]
    public async Task WarehouseConnectionKilled_QueryFailsWithTheWarehouseMessage_AndTheWorkerIsFree()
    {
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["QueryExecution:WorkerCount"] = "1" });
        var queryUuid = await host.SubmitAsync("select pg_sleep(30) as slept");
        var pid = await Eventually.ValueAsync(
            async () => await host.Metadata.ScalarAsync<object>($"select warehouse_query_id from query_history where query_uuid = '{queryUuid}'") as string,
            TimeSpan.FromSeconds(30),
            "the query reaching the warehouse");

        await host.Warehouse.ExecuteAsync($"select pg_terminate_backend({pid})");
        var failed = await host.WaitForFinalStateAsync(queryUuid);

        Assert.That(failed.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(failed.GetProperty("error").GetString(), Does.Contain("terminating connection due to administrator command"));
        // The only worker is free again.
        Assert.That(await host.RunToReadyAsync("select 1 as after"), Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public async Task TwoHundredQueriesAtOnce_AllReachAFinalState()
    {
        // Workers and a per-user limit to match the burst: the point is that every query ends, not how
        // the limits pace them (their own tests show that).
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["QueryExecution:WorkerCount"] = "8",
            ["QueryExecution:ReservedWorkers"] = "0",
            ["Auth:MaxExecutingQueriesPerUser"] = "8",
        });
        var tag = Guid.NewGuid().ToString("N");

        var submitted = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => host.SubmitAsync($"select {i} as n, pg_sleep(0.05) as slept -- {tag}")));
        var finals = await Task.WhenAll(submitted.Select(q => host.WaitForFinalStateAsync(q)));

        Assert.That(submitted.Distinct().Count(), Is.EqualTo(200));
        Assert.That(finals.Select(f => f.GetProperty("status").GetString()), Is.All.EqualTo("ready"));
        Assert.That(finals.Select(f => RowValues.Raw(f.GetProperty("rows")[0], "n").GetInt32()), Is.EquivalentTo(Enumerable.Range(0, 200)));
        Assert.That(await host.Metadata.ScalarAsync<long>($"select count(*) from query_history where compiled_sql like '%{tag}' and status = 'ready'"), Is.EqualTo(200));
    }
}
