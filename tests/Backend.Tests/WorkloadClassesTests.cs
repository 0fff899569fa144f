using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Which queue each kind of work goes to: classes apart, priorities in order within a class.</summary>
public class WorkloadQueuesTests
{
    [Test]
    public void WithinAClass_TheQueueNamesSortAsThePrioritiesRank()
    {
        // Hangfire's PostgreSQL storage takes the next job by queue name, alphabetically.
        foreach (var workload in new[] { WorkloadClass.Interactive, WorkloadClass.Batch })
        {
            var queues = Workloads.QueuesOf(workload);
            Assert.That(queues, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(queues, Is.EqualTo(new[] { QueryPriority.High, QueryPriority.Normal, QueryPriority.Low }.Select(p => Workloads.QueueOf(workload, p))));
        }
    }

    [Test]
    public void NoTwoClasses_ShareAQueue() =>
        Assert.That(Enum.GetValues<WorkloadClass>().SelectMany(Workloads.QueuesOf), Is.Unique);

    [TestCase("scheduledDelivery", WorkloadClass.Batch)]
    [TestCase("composeSql", WorkloadClass.Batch)]
    [TestCase("exploreView", WorkloadClass.Interactive)]
    [TestCase("dashboardView", WorkloadClass.Interactive)]
    [TestCase("api", WorkloadClass.Interactive)]
    public void AQuery_IsClassedByWhereItComesFrom(string context, WorkloadClass expected) =>
        Assert.That(Workloads.ClassOf(context), Is.EqualTo(expected));
}

/// <summary>A burst of batch work never delays an interactive query's pick-up: each class has workers of its own.</summary>
[Category(TestCategories.Integration)]
public class WorkloadClassesTests
{
    [Test]
    public async Task WithEveryBatchWorkerBusy_AnInteractiveQueryIsPickedUpAtOnce()
    {
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["QueryExecution:WorkerCount"] = "1",
            ["QueryExecution:BatchWorkerCount"] = "1",
            ["Auth:MaxExecutingQueriesPerUser"] = "10",
            // Idle workers look for jobs only once a minute of their own accord: a prompt pick-up is the wake's.
            ["QueryExecution:QueuePollInterval"] = "00:01:00",
        });
        var run = Guid.NewGuid().ToString("N");
        var batch = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            batch.Add((await host.ExecuteAsync(new { sql = $"select pg_sleep(1.0), {i} as batch_{run}", context = "scheduledDelivery" })).GetProperty("queryUuid").GetGuid());
        }

        await host.WaitForStatusAsync(batch[0], "executing");
        var interactive = await host.SubmitAsync($"select 1 as interactive_{run}");
        Assert.That((await host.WaitForFinalStateAsync(interactive)).GetProperty("status").GetString(), Is.EqualTo("ready"));

        var wait = await QueueWaitAsync(host, interactive);
        Assert.That(wait, Is.LessThan(TimeSpan.FromSeconds(1)), "picked up while the batch worker was busy");
        Assert.That(await host.HistoryValueAsync<string>(batch[2], "status"), Is.Not.EqualTo("ready"), "the batch backlog was still there");
        foreach (var queryUuid in batch)
        {
            Assert.That((await host.WaitForFinalStateAsync(queryUuid)).GetProperty("status").GetString(), Is.EqualTo("ready"));
        }

        Assert.That(await QueueWaitAsync(host, batch[2]), Is.GreaterThan(TimeSpan.FromSeconds(1.5)), "one batch worker ran the batch queries one after another");
    }

    private static async Task<TimeSpan> QueueWaitAsync(BackendHost host, Guid queryUuid) =>
        await host.HistoryValueAsync<DateTime>(queryUuid, "processing_started_at") - await host.HistoryValueAsync<DateTime>(queryUuid, "created_at");
}
