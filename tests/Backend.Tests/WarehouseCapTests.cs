using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// A project's cap on statements open on its warehouse holds across instances: two instances (a
/// backend process and one in this process) with workers to spare never run more of the project's
/// queries at once than the cap, as the warehouse itself shows (<c>pg_stat_activity</c>); the others
/// wait queued, saying why.
/// </summary>
[Category(TestCategories.Integration)]
public class WarehouseCapTests
{
    [Test]
    public async Task TheCap_HoldsAcrossTwoInstances_AndWaitingQueriesSayWhy()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        await using var warehouse = await TestDatabase.CreateAsync("wh");
        var projectUuid = Guid.NewGuid();
        var settings = BackendHost.BaseSettings(
            metadata.ServiceConnectionString, warehouse.ReaderConnectionString, TestPrefixes.New(), projectUuid, Guid.NewGuid(), Guid.NewGuid(), Path.GetTempFileName());
        settings["Projects:Items:0:MaxWarehouseStatements"] = "2";
        settings["QueryExecution:WorkerCount"] = "4";
        settings["QueryExecution:ReservedWorkers"] = "0";
        settings["Auth:MaxExecutingQueriesPerUser"] = "20";

        var (other, _) = await ChildProcess.StartBackendAsync(settings.ToDictionary(p => p.Key, p => p.Value!));
        await using (other)
        {
            await using var host = await BackendHost.StartAsync(settings);
            var tag = $"capped_{Guid.NewGuid():N}";
            var queries = new List<Guid>();
            for (var i = 0; i < 6; i++)
            {
                queries.Add(await host.SubmitAsync($"select pg_sleep(0.8), {i} as {tag}", projectUuid: projectUuid));
            }

            var peak = 0L;
            var sawWaitingForTheCap = false;
            await Eventually.UntilAsync(
                async () =>
                {
                    peak = Math.Max(peak, await warehouse.ScalarAsync<long>(
                        $"select count(*) from pg_stat_activity where state = 'active' and query like '%as {tag}%' and pid <> pg_backend_pid()"));
                    foreach (var queryUuid in queries)
                    {
                        var (_, page) = await host.GetPageAsync(queryUuid, projectUuid: projectUuid);
                        var results = page.GetProperty("results");
                        sawWaitingForTheCap |= results.TryGetProperty("progress", out var progress)
                            && progress.TryGetProperty("waitingFor", out var waitingFor) && waitingFor.GetString() == "warehouseLimit";
                    }

                    var statuses = await Task.WhenAll(queries.Select(q => metadata.ScalarAsync<string>("select status from query_history where query_uuid = @q", ("q", q))));
                    return statuses.All(s => s == "ready");
                },
                TimeSpan.FromSeconds(60),
                "every capped query is ready");

            Assert.That(peak, Is.EqualTo(2), "never more than the cap at once, and the cap was reached");
            Assert.That(sawWaitingForTheCap, Is.True, "a waiting query said it waits for the warehouse cap");
            // Which instance ran which query is the queue's choice (usually both run some): the cap is
            // counted in the shared database whichever does.
        }
    }
}
