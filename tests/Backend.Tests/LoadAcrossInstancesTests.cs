using System.Diagnostics;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Client;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Many users, three instances: one api-only and two worker-only backend processes on one metadata
/// database and S3 server; twenty users submit short and slow queries, exports and statements for
/// twenty seconds while a probe measures interactive pick-up on another project; one worker instance
/// is killed (SIGKILL) half way. Everything finishes once, users are served fairly, the warehouse cap
/// holds as the warehouse itself saw it, and pick-up stays under a second (waits across the kill are
/// its recovery, left out of fairness and pick-up: see <see cref="LoadOutcome"/>).
/// </summary>
[Category(TestCategories.Integration)]
public class LoadAcrossInstancesTests
{
    private const int Users = 20;
    private const int WarehouseCap = 4;
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(20);

    [Test]
    public async Task TwentyUsers_ThreeInstances_OneKilled_EverythingFinishesOnce_Fairly_WithinTheCap()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        await using var warehouse = await TestDatabase.CreateAsync("wh");
        var (users, probed) = (Guid.NewGuid(), Guid.NewGuid());
        var settings = Settings(metadata, warehouse, users, probed);
        var token = settings["Auth:BootstrapAdmin:Token"];

        var starting = new[] { "api,scheduler", "worker", "worker" }.Select(roles => ChildProcess.StartBackendAsync(new Dictionary<string, string>(settings) { [InstanceRoles.Key] = roles })).ToArray();
        var instances = await Task.WhenAll(starting);
        await using var api = instances[0].Process;
        await using var worker = instances[1].Process;
        await using var doomed = instances[2].Process;
        var apiAddress = instances[0].BaseAddress;

        using var adminHttp = new HttpClient { BaseAddress = apiAddress };
        adminHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", token);
        var nonce = Guid.NewGuid().ToString("N");
        var people = new List<LoadUser>();
        for (var i = 0; i < Users; i++)
        {
            var memberToken = await LoadUser.CreateMemberAsync(adminHttp, users, $"user{i}-{nonce}@example.com", "developer");
            people.Add(new LoadUser(i, new LightdashClient(apiAddress, memberToken), users, nonce));
        }

        await using var sampler = new WarehouseActivitySampler(warehouse.ConnectionString, TimeSpan.FromMilliseconds(40));
        var clock = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + Load;
        var acting = people.Select(p => p.RunAsync(deadline)).ToList();
        using var probeClient = new LightdashClient(apiAddress, token);
        var probing = ProbeAsync(probeClient, probed, deadline);

        // Half way: the second worker instance dies with whatever it was running.
        await Task.Delay(Load / 2);
        var doomedId = doomed.ProcessId;
        await doomed.KillAsync();
        var killedAt = await metadata.ScalarAsync<DateTime>("select now()");
        var orphaned = await OrphansOfAsync(metadata, doomedId);

        await Task.WhenAll(acting.Append(probing));
        var drained = clock.Elapsed;
        await sampler.StopAsync();

        var outcome = await LoadOutcome.ReadAsync(metadata, users, probed, killedAt);
        TestContext.Out.WriteLine(
            $"{people.Sum(p => p.Actions)} actions in {drained.TotalSeconds:N1} s; {outcome.Queries} queries; {orphaned.Count} running on the killed instance; "
            + $"peak {sampler.PeakOf(outcome.ProjectQueries)} on the warehouse (cap {WarehouseCap}); user p95 waits (s) {string.Join(" ", outcome.UserP95Waits.Select(w => w.ToString("N2", System.Globalization.CultureInfo.InvariantCulture)))}; "
            + $"pick-up p95 {outcome.PickUpP95.TotalMilliseconds:N0} ms over {outcome.ProbeCount} probes");

        Assert.Multiple(() =>
        {
            Assert.That(drained, Is.LessThan(TimeSpan.FromSeconds(60)), "every user's last action ended within the bound");
            Assert.That(outcome.NotReady, Is.Empty, "every query and statement ended ready: none stuck, none failed");
            Assert.That(sampler.SeenTwiceAtOnce(), Is.Empty, "no query ran on two warehouse sessions at once");
            Assert.That(outcome.RunAgain.Except(orphaned), Is.Empty, "only queries the killed instance was running ran again");
            Assert.That(sampler.PeakOf(outcome.ProjectQueries), Is.InRange(1, WarehouseCap), "the warehouse never saw more of the project's statements than its cap");
            Assert.That(outcome.UserP95Waits.Max(), Is.LessThanOrEqualTo(3 * Math.Max(outcome.MedianUserP95Wait, LoadOutcome.WaitFloorSeconds)), "no user's p95 queue wait above 3x the median user's");
            Assert.That(outcome.PickUpP95, Is.LessThan(TimeSpan.FromSeconds(1)), "interactive pick-up p95 under a second while the other project is loaded");
        });
        Assert.That(worker.IsRunning && api.IsRunning, Is.True, "the surviving instances stayed up");
    }

    private static Dictionary<string, string> Settings(TestDatabase metadata, TestDatabase warehouse, Guid users, Guid probed)
    {
        var settings = BackendHost.BaseSettings(
            metadata.ServiceConnectionString, warehouse.ReaderConnectionString, TestPrefixes.New(), users, probed, Guid.NewGuid(), Path.GetTempFileName());
        settings["Projects:Items:0:MaxWarehouseStatements"] = WarehouseCap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["QueryExecution:WorkerCount"] = "6";
        settings["QueryExecution:BatchWorkerCount"] = "2";
        // A dead instance's work is taken over within seconds rather than the production minute.
        settings["QueryExecution:HeartbeatInterval"] = "00:00:00.500";
        settings["QueryExecution:LeaseTimeout"] = "00:00:03";
        settings["QueryExecution:JobInvisibilityTimeout"] = "00:00:05";
        settings["QueryExecution:ReaperCron"] = "*/2 * * * * *";
        return settings.ToDictionary(p => p.Key, p => p.Value!);
    }

    // Someone on another project runs a small query every quarter second: its pick-up is what the load must not delay.
    private static async Task ProbeAsync(LightdashClient client, Guid projectUuid, DateTime deadline)
    {
        for (var i = 0; DateTime.UtcNow < deadline; i++)
        {
            var page = await client.SubmitAndWaitAsync(projectUuid, QueryRequest.Sql($"select {i} as probe -- {Guid.NewGuid():N}"), TimeSpan.FromSeconds(45));
            Assert.That(page.TotalResults, Is.EqualTo(1));
            await Task.Delay(250);
        }
    }

    private static async Task<IReadOnlyList<Guid>> OrphansOfAsync(TestDatabase metadata, int processId)
    {
        var list = await metadata.ScalarAsync<Guid[]>(
            "select coalesce(array_agg(query_uuid), '{}') from query_history where status = 'executing' and executing_server like @server", ("server", $"%:{processId}"));
        return list;
    }
}
