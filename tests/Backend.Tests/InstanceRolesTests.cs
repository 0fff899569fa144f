using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.Configuration;

namespace Lightdash.Net.Backend.Tests;

/// <summary>How <c>Instance:Roles</c> is read: all roles by default, any listed mix, and a clear refusal otherwise.</summary>
public class InstanceRolesTests
{
    private static InstanceRoles Of(string? roles) =>
        InstanceRoles.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [InstanceRoles.Key] = roles }).Build());

    [Test]
    public void Unset_MeansEveryRole() =>
        Assert.That((Of(null).ServesApi, Of(null).RunsWorkers, Of(null).RunsScheduler), Is.EqualTo((true, true, true)));

    [Test]
    public void AListedMix_IsRead_WhateverItsCaseAndSpaces() =>
        Assert.That((Of(" API , scheduler").ServesApi, Of(" API , scheduler").RunsWorkers, Of(" API , scheduler").RunsScheduler), Is.EqualTo((true, false, true)));

    [TestCase("api,cron", "unknown: cron")]
    [TestCase(",", "one or more of")]
    public void AnUnknownRole_StopsTheStart_NamingTheKey(string roles, string expected) =>
        Assert.That(() => Of(roles), Throws.InvalidOperationException.With.Message.Contains(InstanceRoles.Key).And.Message.Contains(expected));
}

/// <summary>An api-only instance and a worker-only instance on one metadata database do the work of one, as promptly.</summary>
[Category(TestCategories.Integration)]
public class InstanceRolesSplitTests
{
    [Test]
    public async Task AnApiOnlyInstance_QueuesWork_AWorkerOnlyInstance_RunsItAtOnce_AndServesNoApi()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        await using var warehouse = await TestDatabase.CreateAsync("wh");
        var projectUuid = Guid.NewGuid();
        var settings = BackendHost.BaseSettings(
            metadata.ServiceConnectionString, warehouse.ReaderConnectionString, TestPrefixes.New(), projectUuid, Guid.NewGuid(), Guid.NewGuid(), Path.GetTempFileName())
            .ToDictionary(p => p.Key, p => p.Value!);
        // Idle workers look for jobs only once a minute of their own accord: a prompt pick-up is the wake's.
        settings["QueryExecution:QueuePollInterval"] = "00:01:00";
        var token = settings["Auth:BootstrapAdmin:Token"];

        var (api, apiAddress) = await ChildProcess.StartBackendAsync(new Dictionary<string, string>(settings) { [InstanceRoles.Key] = "api,scheduler" });
        await using (api)
        {
            var (worker, workerAddress) = await ChildProcess.StartBackendAsync(new Dictionary<string, string>(settings) { [InstanceRoles.Key] = "worker" });
            await using (worker)
            {
                using var apiClient = Client(apiAddress, token);
                using var workerClient = Client(workerAddress, token);

                using var submitted = await apiClient.PostAsJsonAsync($"/api/v2/projects/{projectUuid}/query/sql", new { sql = $"select 42 as answer_{Guid.NewGuid():N}", waitMs = 20000 });
                var results = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
                var queryUuid = results.GetProperty("queryUuid").GetGuid();
                using var page = await apiClient.GetAsync($"/api/v2/projects/{projectUuid}/query/{queryUuid}?waitMs=20000");
                var state = (await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
                Assert.That(state.GetProperty("status").GetString(), Is.EqualTo("ready"), state.ToString());

                await using var connection = new Npgsql.NpgsqlConnection(metadata.ConnectionString);
                await connection.OpenAsync();
                await using var command = new Npgsql.NpgsqlCommand("select executing_server from query_history where query_uuid = @q", connection);
                command.Parameters.AddWithValue("q", queryUuid);
                var server = (string)(await command.ExecuteScalarAsync())!;
                Assert.That(server, Does.EndWith($":{worker.ProcessId}"), "the worker-only instance ran it");

                // One query after another, each queued on the api instance while every worker there waits idle.
                for (var i = 0; i < 5; i++)
                {
                    using var next = await apiClient.PostAsJsonAsync($"/api/v2/projects/{projectUuid}/query/sql", new { sql = $"select {i} as n_{Guid.NewGuid():N}", waitMs = 20000 });
                    var nextUuid = (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("queryUuid").GetGuid();
                    await using var pickUp = new Npgsql.NpgsqlCommand("select extract(epoch from processing_started_at - created_at)::float8 from query_history where query_uuid = @q", connection);
                    pickUp.Parameters.AddWithValue("q", nextUuid);
                    Assert.That((double)(await pickUp.ExecuteScalarAsync())!, Is.LessThan(1.0), "the worker instance was woken by the enqueue on the api instance");
                    await Task.Delay(300);
                }

                Assert.That((await workerClient.GetAsync("/api/v1/user")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a worker serves no API");
                Assert.That((await workerClient.GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
                var apiHealth = await (await apiClient.GetAsync("/health/ready")).Content.ReadAsStringAsync();
                Assert.That(apiHealth, Does.Not.Contain("queryWorkers"), "an api-only instance runs no workers, so it does not report them");
            }
        }
    }

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", token);
        return client;
    }
}
