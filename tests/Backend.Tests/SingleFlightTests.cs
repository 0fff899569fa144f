using System.Net;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Identical queries submitted while one runs share one warehouse execution.</summary>
[Category(TestCategories.Integration)]
public class SingleFlightTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task TwentyConcurrentIdenticalSubmissions_RunOnce()
    {
        // The warehouse login may only read: executions are counted by pg_stat_statements, under a
        // column name no other test uses.
        await _host.Warehouse.ExecuteAsync("create extension if not exists pg_stat_statements");
        var marker = $"flight_{Guid.NewGuid():N}";
        var sql = $"select pg_backend_pid() as execution, pg_sleep(1.5) as {marker}";

        var submissions = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _host.SubmitAsync(sql)));
        var finals = await Task.WhenAll(submissions.Select(q => _host.WaitForFinalStateAsync(q)));

        Assert.That(submissions.Distinct().Count(), Is.EqualTo(20), "every caller gets its own queryUuid");
        Assert.That(finals.Select(f => f.GetProperty("status").GetString()), Is.All.EqualTo("ready"));
        Assert.That(finals.Select(f => RowValues.Raw(f.GetProperty("rows")[0], "execution").GetInt64()).Distinct().Count(), Is.EqualTo(1), "one warehouse session served them all");
        Assert.That(
            await _host.Warehouse.ScalarAsync<long>("select coalesce(sum(calls), 0)::bigint from pg_stat_statements where query like '%' || @marker || '%'", ("marker", marker)),
            Is.EqualTo(1),
            "exactly one warehouse execution");
        var files = new HashSet<string>();
        foreach (var queryUuid in submissions)
        {
            files.Add(await _host.HistoryValueAsync<string>(queryUuid, "results_file_name"));
        }

        Assert.That(files, Has.Count.EqualTo(1), "all share one results file");
    }

    [Test]
    public async Task LeaderCancelled_TheQueriesThatJoinedItStillGetResults()
    {
        var sql = $"select 42 as answer, pg_sleep(1) as slept -- {Guid.NewGuid():N}";
        var leader = await _host.SubmitAsync(sql);
        var follower = await _host.SubmitAsync(sql);
        Assert.That(await _host.HistoryValueAsync<Guid>(follower, "joined_query_uuid"), Is.EqualTo(leader));

        using var cancel = await _host.Client.PostAsync($"{_host.QueryPath()}/{leader}/cancel", null);
        var followerFinal = await _host.WaitForFinalStateAsync(follower);

        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.WaitForFinalStateAsync(leader)).GetProperty("status").GetString(), Is.EqualTo("cancelled"));
        Assert.That(followerFinal.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(RowValues.Raw(followerFinal.GetProperty("rows")[0], "answer").GetInt32(), Is.EqualTo(42));
    }

    [Test]
    public async Task FollowerCancelled_TheLeaderGoesOn()
    {
        var sql = $"select 7 as seven, pg_sleep(1) as slept -- {Guid.NewGuid():N}";
        var leader = await _host.SubmitAsync(sql);
        var follower = await _host.SubmitAsync(sql);

        using var cancel = await _host.Client.PostAsync($"{_host.QueryPath()}/{follower}/cancel", null);

        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _host.WaitForFinalStateAsync(leader)).GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That((await _host.WaitForFinalStateAsync(follower)).GetProperty("status").GetString(), Is.EqualTo("cancelled"));
    }

    [Test]
    public async Task LeaderFails_TheQueriesThatJoinedItGetTheError()
    {
        // The division fails at run time, after the sleep, so the second submission joins the first.
        var sql = $"select pg_sleep(1) as slept, 1 / (extract(year from now())::int * 0) as boom -- {Guid.NewGuid():N}";
        var first = await _host.SubmitAsync(sql);
        var second = await _host.SubmitAsync(sql);

        var finals = await Task.WhenAll(_host.WaitForFinalStateAsync(first), _host.WaitForFinalStateAsync(second));

        Assert.That(await _host.HistoryValueAsync<Guid>(second, "joined_query_uuid"), Is.EqualTo(first));
        Assert.That(finals.Select(f => f.GetProperty("status").GetString()), Is.All.EqualTo("error"));
        Assert.That(finals.Select(f => f.GetProperty("error").GetString()), Is.All.Contains("division by zero"));
    }
}
