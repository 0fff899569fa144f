using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Results end: the expiry sweep deletes what nobody reads (and keeps what is shared); DELETE removes a query.</summary>
[Category(TestCategories.Integration)]
public class ExpiryAndDeleteTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private static string UniqueSql() => $"select i from generate_series(1, 20) i order by i -- {Guid.NewGuid():N}";

    private async Task SweepAsync()
    {
        using var scope = _host.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ResultsExpiryJob>().RunAsync(CancellationToken.None);
    }

    private Task ExpireAsync(Guid queryUuid) =>
        _host.Metadata.ExecuteAsync($"update query_history set results_expires_at = now() - interval '1 second' where query_uuid = '{queryUuid}'");

    private async Task<bool> ObjectExistsAsync(string key)
    {
        try
        {
            await _host.S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "results", Key = key });
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<HttpStatusCode> DeleteAsync(Guid queryUuid)
    {
        using var response = await _host.Client.DeleteAsync($"{_host.QueryPath()}/{queryUuid}");
        return response.StatusCode;
    }

    [Test]
    public async Task ReadyResult_GetsAnExpiryFromTheTtl()
    {
        var queryUuid = await _host.RunToReadyAsync(UniqueSql());

        var expiresAt = await _host.HistoryValueAsync<DateTime>(queryUuid, "results_expires_at");

        Assert.That(expiresAt, Is.EqualTo(DateTime.UtcNow.AddHours(24)).Within(TimeSpan.FromMinutes(2)));
    }

    [Test]
    public async Task Sweep_DeletesExpiredResults_AndReadsSayExpired()
    {
        var queryUuid = await _host.RunToReadyAsync(UniqueSql());
        var key = await _host.HistoryValueAsync<string>(queryUuid, "results_file_name");
        await ExpireAsync(queryUuid);

        await SweepAsync();

        Assert.That(await ObjectExistsAsync(key), Is.False);
        Assert.That(await ObjectExistsAsync(key + ".index"), Is.False);
        var (status, body) = await _host.GetPageAsync(queryUuid);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("expired"));
        Assert.That(body.GetProperty("results").GetProperty("error").GetString(), Does.Contain("expired").And.Contain("run the query again"));
        using var whole = await _host.Client.GetAsync($"{_host.QueryPath()}/{queryUuid}/results");
        Assert.That(whole.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Sweep_KeepsAFileThatALiveCacheHitShares()
    {
        var sql = UniqueSql();
        var original = await _host.RunToReadyAsync(sql);
        var hit = (await _host.ExecuteAsync(new { sql })).GetProperty("queryUuid").GetGuid();
        var key = await _host.HistoryValueAsync<string>(original, "results_file_name");
        await ExpireAsync(original);

        await SweepAsync();

        Assert.That(await ObjectExistsAsync(key), Is.True, "the cache hit still points at it");
        Assert.That((await _host.GetPageAsync(original)).Body.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("expired"));
        Assert.That(RowValues.Longs((await _host.GetPageAsync(hit)).Body.GetProperty("results"), "i"), Has.Count.EqualTo(20));

        await ExpireAsync(hit);
        await SweepAsync();

        Assert.That(await ObjectExistsAsync(key), Is.False, "the last reader expired");
    }

    [Test]
    public async Task Sweep_ExpiresFailedQueriesAfterTheErrorTtl_KeepingTheirError()
    {
        var queryUuid = await _host.SubmitAsync($"select * from missing_relation -- {Guid.NewGuid():N}");
        await _host.WaitForFinalStateAsync(queryUuid);
        var expiresAt = await _host.HistoryValueAsync<DateTime>(queryUuid, "results_expires_at");
        Assert.That(expiresAt, Is.EqualTo(DateTime.UtcNow.AddHours(1)).Within(TimeSpan.FromMinutes(2)));
        await ExpireAsync(queryUuid);

        await SweepAsync();

        var results = (await _host.GetPageAsync(queryUuid)).Body.GetProperty("results");
        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("expired"));
        Assert.That(results.GetProperty("error").GetString(), Does.Contain("missing_relation"));
    }

    [Test]
    public async Task Sweep_ExpiresQueriesQueuedTooLong()
    {
        var history = _host.Services.GetRequiredService<QueryHistoryStore>();
        var queryUuid = Guid.NewGuid();
        await history.CreateAsync(new NewQuery(queryUuid, _host.ProjectUuid, "api", "select 1", null, 500, "stuck", await _host.AdminUserUuidAsync()), CancellationToken.None);
        await _host.Metadata.ExecuteAsync($"update query_history set status = 'queued', created_at = now() - interval '2 hours' where query_uuid = '{queryUuid}'");

        await SweepAsync();

        var results = (await _host.GetPageAsync(queryUuid)).Body.GetProperty("results");
        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("expired"));
        Assert.That(results.GetProperty("error").GetString(), Does.Contain("waited in the queue"));
    }

    [Test]
    public async Task Sweep_RemovesHistoryOlderThanTheRetention()
    {
        var queryUuid = await _host.SubmitAsync($"select * from missing_again -- {Guid.NewGuid():N}");
        await _host.WaitForFinalStateAsync(queryUuid);
        await _host.Metadata.ExecuteAsync($"update query_history set created_at = now() - interval '31 days' where query_uuid = '{queryUuid}'");

        await SweepAsync();

        Assert.That((await _host.GetPageAsync(queryUuid)).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Delete_RemovesTheQueryAndItsFile()
    {
        var queryUuid = await _host.RunToReadyAsync(UniqueSql());
        var key = await _host.HistoryValueAsync<string>(queryUuid, "results_file_name");

        using var response = await _host.Client.DeleteAsync($"{_host.QueryPath()}/{queryUuid}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("results").GetProperty("resultsDeleted").GetBoolean(), Is.True);
        Assert.That((await _host.GetPageAsync(queryUuid)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await ObjectExistsAsync(key), Is.False);
    }

    [Test]
    public async Task Delete_OfOneOfTwoQueriesSharingAFile_KeepsTheFile()
    {
        var sql = UniqueSql();
        var original = await _host.RunToReadyAsync(sql);
        var hit = (await _host.ExecuteAsync(new { sql })).GetProperty("queryUuid").GetGuid();
        var key = await _host.HistoryValueAsync<string>(original, "results_file_name");

        Assert.That(await DeleteAsync(original), Is.EqualTo(HttpStatusCode.OK));

        Assert.That(await ObjectExistsAsync(key), Is.True);
        Assert.That(RowValues.Longs((await _host.GetPageAsync(hit)).Body.GetProperty("results"), "i"), Has.Count.EqualTo(20));
        Assert.That(await DeleteAsync(hit), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await ObjectExistsAsync(key), Is.False);
    }

    [Test]
    public async Task Delete_OfARunningQuery_StopsItAndRemovesIt()
    {
        var queryUuid = await _host.SubmitAsync($"select pg_sleep(30) as slept -- {Guid.NewGuid():N}");

        Assert.That(await DeleteAsync(queryUuid), Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await _host.GetPageAsync(queryUuid)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await DeleteAsync(queryUuid), Is.EqualTo(HttpStatusCode.NotFound), "a second delete finds nothing");
    }

    [Test]
    public async Task Delete_UnknownQuery_Returns404() =>
        Assert.That(await DeleteAsync(Guid.NewGuid()), Is.EqualTo(HttpStatusCode.NotFound));

    [Test]
    public async Task Delete_AlsoDeletesTheQuerysCsvExports()
    {
        var queryUuid = await _host.RunToReadyAsync(UniqueSql());
        var fileUrl = await ExportCsvAsync(_host.QueryPath(), queryUuid);
        using var plain = new HttpClient();
        Assert.That((await plain.GetAsync(fileUrl)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That(await DeleteAsync(queryUuid), Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await plain.GetAsync(fileUrl)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the export's link no longer serves the rows");
    }

    [Test]
    public async Task DeleteProject_RemovesItsQueriesResultsExportsAndContent_AndStopsItsRunningQueries()
    {
        var (created, project) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects", new { name = "Doomed", warehouseType = "postgres", connectionString = _host.Warehouse.ReaderConnectionString });
        Assert.That(created, Is.EqualTo(HttpStatusCode.OK), project.ToString());
        var projectUuid = project.GetProperty("results").GetProperty("projectUuid").GetGuid();
        var path = _host.QueryPath(projectUuid);
        var ready = await _host.RunToReadyAsync(UniqueSql(), projectUuid: projectUuid);
        var key = await _host.HistoryValueAsync<string>(ready, "results_file_name");
        var fileUrl = await ExportCsvAsync(path, ready);
        var (saved, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/projects/{projectUuid}/sqlCharts", new { name = "Doomed chart", sql = "select 1 as one" });
        Assert.That(saved, Is.EqualTo(HttpStatusCode.OK));
        var running = await _host.SubmitAsync($"select pg_sleep(60) as doomed -- {Guid.NewGuid():N}", projectUuid: projectUuid);
        await _host.WaitForStatusAsync(running, "executing", projectUuid);
        var projectAdmin = await _host.CreateMemberClientAsync($"padmin-{Guid.NewGuid():N}@example.com", null);
        var projectAdminUuid = (await projectAdmin.GetFromJsonAsync<JsonElement>("/api/v1/user")).GetProperty("results").GetProperty("userUuid").GetGuid();
        Assert.That((await BackendHost.SendAsync(_host.Client, HttpMethod.Put, $"/api/v1/projects/{projectUuid}/access/{projectAdminUuid}", new { role = "admin" })).Status, Is.EqualTo(HttpStatusCode.OK));
        var outsider = await _host.CreateMemberClientAsync($"outsider-{Guid.NewGuid():N}@example.com", null);

        var (byProjectAdmin, _) = await BackendHost.SendAsync(projectAdmin, HttpMethod.Delete, $"/api/v1/projects/{projectUuid}");
        var (byOutsider, _) = await BackendHost.SendAsync(outsider, HttpMethod.Delete, $"/api/v1/projects/{projectUuid}");
        var (deleted, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, $"/api/v1/projects/{projectUuid}");
        var (again, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, $"/api/v1/projects/{projectUuid}");

        Assert.That(byProjectAdmin, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(byOutsider, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(deleted, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(again, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"/api/v1/projects/{projectUuid}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _host.GetPageAsync(ready, projectUuid: projectUuid)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from query_history where project_uuid = @p", ("p", projectUuid)), Is.Zero);
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from saved_sql where project_uuid = @p", ("p", projectUuid)), Is.Zero);
        Assert.That(await ObjectExistsAsync(key), Is.False);
        using var plain = new HttpClient();
        Assert.That((await plain.GetAsync(fileUrl)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await _host.Warehouse.ScalarAsync<long>("select count(*) from pg_stat_activity where query like '%as doomed --%' and state = 'active' and pid <> pg_backend_pid()") > 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the project's running query was stopped on the warehouse");
            await Task.Delay(50);
        }
    }

    private async Task<string> ExportCsvAsync(string queryPath, Guid queryUuid)
    {
        using var response = await _host.Client.PostAsJsonAsync($"{queryPath}/{queryUuid}/download", new { type = "csv" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("fileUrl").GetString()!;
    }

}
