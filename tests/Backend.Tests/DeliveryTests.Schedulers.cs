using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Hangfire;
using Lightdash.Net.Backend.Deliveries;
using Microsoft.Extensions.DependencyInjection;

namespace Lightdash.Net.Backend.Tests;

// DeliveryTests, continued: schedulers.
public partial class DeliveryTests
{
    [Test]
    public async Task FailingQuery_IsRecorded_AndTheOwnerIsTold()
    {
        await _host.Warehouse.ExecuteAsync("create table doomed (x int4); insert into doomed values (1);");
        var chart = await CreateSqlChartAsync($"Doomed {Guid.NewGuid():N}", "select * from doomed");
        await _host.Warehouse.ExecuteAsync("drop table doomed;");
        var name = $"Broken {Guid.NewGuid():N}";
        var path = $"/never/{Guid.NewGuid():N}";
        var scheduler = await CreateSchedulerAsync(new
        {
            name, resourceType = "sqlChart", resourceUuid = chart, cron = "0 6 * * *", enabled = false,
            targets = new[] { new { type = "webhook", url = _receiver.Url(path) } },
        });

        var delivery = await RunAndWaitAsync(scheduler.GetProperty("schedulerUuid").GetGuid());

        Assert.That(delivery.GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(delivery.GetProperty("error").GetString(), Does.Contain("doomed").And.Contain("owner was notified"));
        Assert.That(_receiver.Calls(path), Is.Empty, "nothing was sent");
        var notice = await MailAsync(name);
        Assert.That(notice.GetProperty("subject").GetString(), Does.StartWith("Delivery failed"));
    }

    [Test]
    public async Task Delivery_RunsWithTheOwnersAttributesAtDeliveryTime()
    {
        var owner = await _host.CreateMemberClientAsync($"region-{Guid.NewGuid():N}@example.com", "developer");
        var ownerUuid = (await BackendHost.SendAsync(owner, HttpMethod.Get, "/api/v1/user")).Body.GetProperty("results").GetProperty("userUuid").GetGuid();
        var attribute = $"region_{Guid.NewGuid():N}"[..20];
        var (created, saved) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/org/attributes", new { name = attribute, users = new[] { new { userUuid = ownerUuid, value = "EU" } } });
        Assert.That(created, Is.EqualTo(HttpStatusCode.OK), saved.ToString());
        var attributeUuid = saved.GetProperty("results").GetProperty("uuid").GetGuid();
        var (_, chart) = await BackendHost.SendAsync(owner, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/sqlCharts", new
        {
            name = $"Mine {Guid.NewGuid():N}",
            sql = $"select id from sales where region = ${{ld.attr.{attribute}}} order by id",
        });
        var scheduler = await CreateSchedulerAsync(
            Scheduler([new { type = "s3", prefix = "regional" }], resource: chart.GetProperty("results").GetProperty("savedSqlUuid").GetGuid()), owner);
        var id = scheduler.GetProperty("schedulerUuid").GetGuid();

        var first = await RunAndWaitAsync(id);
        await BackendHost.SendAsync(_host.Client, HttpMethod.Put, $"/api/v1/org/attributes/{attributeUuid}", new { name = attribute, users = new[] { new { userUuid = ownerUuid, value = "US" } } });
        var second = await RunAndWaitAsync(id);

        Assert.That(first.GetProperty("status").GetString(), Is.EqualTo("delivered"), first.ToString());
        Assert.That(first.GetProperty("files")[0].GetProperty("rowCount").GetInt64(), Is.EqualTo(1), "EU: one row");
        Assert.That(second.GetProperty("files")[0].GetProperty("rowCount").GetInt64(), Is.EqualTo(1));
        Assert.That(second.GetProperty("files")[0].GetProperty("queryUuid").GetGuid(), Is.Not.EqualTo(first.GetProperty("files")[0].GetProperty("queryUuid").GetGuid()));
        var sql = await _host.HistoryValueAsync<string>(second.GetProperty("files")[0].GetProperty("queryUuid").GetGuid(), "compiled_sql");
        Assert.That(sql, Does.Contain("'US'"), "the attribute's value when the delivery ran");
    }

    [Test]
    public async Task Schedulers_AreManagedByTheirOwnerAndAdminsOnly()
    {
        var owner = await _host.CreateMemberClientAsync($"owner-{Guid.NewGuid():N}@example.com", "developer");
        var other = await _host.CreateMemberClientAsync($"other-{Guid.NewGuid():N}@example.com", "developer");
        var viewer = await _host.CreateMemberClientAsync($"viewer-{Guid.NewGuid():N}@example.com", "viewer");
        var scheduler = await CreateSchedulerAsync(Scheduler([new { type = "s3", prefix = "mine" }]), owner);
        var id = scheduler.GetProperty("schedulerUuid").GetGuid();

        Assert.That((await BackendHost.SendAsync(other, HttpMethod.Get, $"/api/v1/schedulers/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await BackendHost.SendAsync(other, HttpMethod.Post, $"/api/v1/schedulers/{id}/run")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await BackendHost.SendAsync(other, HttpMethod.Delete, $"/api/v1/schedulers/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        var (_, othersList) = await BackendHost.SendAsync(other, HttpMethod.Get, $"/api/v1/projects/{_host.ProjectUuid}/schedulers");
        Assert.That(othersList.GetProperty("results").EnumerateArray().Select(s => s.GetProperty("schedulerUuid").GetGuid()), Has.None.EqualTo(id));
        var (_, adminList) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"/api/v1/projects/{_host.ProjectUuid}/schedulers");
        Assert.That(adminList.GetProperty("results").EnumerateArray().Select(s => s.GetProperty("schedulerUuid").GetGuid()), Has.Some.EqualTo(id), "organisation admins see every one");
        Assert.That((await BackendHost.SendAsync(viewer, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/schedulers", Scheduler([new { type = "s3", prefix = "x" }]))).Status,
            Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/schedulers/{id}/enabled", new { enabled = true })).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task PauseAndResume_RemoveAndAddTheRecurringJob()
    {
        var scheduler = await CreateSchedulerAsync(Scheduler([new { type = "s3", prefix = "p" }]));
        var id = scheduler.GetProperty("schedulerUuid").GetGuid();
        var jobs = $"select count(*) from hangfire.set where key = 'recurring-jobs' and value = 'scheduler-{id}'";
        Assert.That(await _host.Metadata.ScalarAsync<long>(jobs), Is.Zero, "created paused");
        Assert.That(scheduler.TryGetProperty("nextRunAt", out _), Is.False);

        var (_, resumed) = await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/schedulers/{id}/enabled", new { enabled = true });
        Assert.That(await _host.Metadata.ScalarAsync<long>(jobs), Is.EqualTo(1));
        var next = resumed.GetProperty("results").GetProperty("nextRunAt").GetDateTime();
        var london = TimeZoneInfo.ConvertTimeFromUtc(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        Assert.That((london.Hour, london.Minute), Is.EqualTo((6, 0)), "06:00 in the scheduler's time zone");

        await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/schedulers/{id}/enabled", new { enabled = false });
        Assert.That(await _host.Metadata.ScalarAsync<long>(jobs), Is.Zero);
        await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, $"/api/v1/schedulers/{id}");
        Assert.That((await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"/api/v1/schedulers/{id}")).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Reconciling_RegistersLostJobs_AndRemovesLeftOvers()
    {
        var scheduler = await CreateSchedulerAsync(Scheduler([new { type = "s3", prefix = "r" }]));
        var id = scheduler.GetProperty("schedulerUuid").GetGuid();
        await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/schedulers/{id}/enabled", new { enabled = true });
        var recurring = _host.Services.GetRequiredService<Hangfire.IRecurringJobManager>();
        var leftOver = SchedulerService.RecurringJobId(Guid.NewGuid());
        string Count(string jobId) => $"select count(*) from hangfire.set where key = 'recurring-jobs' and value = '{jobId}'";
        // A lost registration (as after a reset Hangfire schema) and a job whose scheduler is gone.
        recurring.RemoveIfExists(SchedulerService.RecurringJobId(id));
        recurring.AddOrUpdate<DeliveryRunner>(leftOver, runner => runner.RunScheduledAsync(Guid.Empty, CancellationToken.None), "0 6 * * 1");
        Assert.That(await _host.Metadata.ScalarAsync<long>(Count(SchedulerService.RecurringJobId(id))), Is.Zero);

        await _host.Services.GetRequiredService<SchedulerService>().ReconcileAsync(_host.Services.GetRequiredService<Hangfire.JobStorage>(), CancellationToken.None);

        Assert.That(await _host.Metadata.ScalarAsync<long>(Count(SchedulerService.RecurringJobId(id))), Is.EqualTo(1), "registered again");
        Assert.That(await _host.Metadata.ScalarAsync<long>(Count(leftOver)), Is.Zero, "the left-over job is gone");
        await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, $"/api/v1/schedulers/{id}");
    }

    [TestCase("""{"cron": "every day"}""", "cron")]
    [TestCase("""{"timezone": "Mars/Olympus"}""", "timezone")]
    [TestCase("""{"format": "pdf"}""", "format")]
    [TestCase("""{"resourceType": "report"}""", "resourceType")]
    [TestCase("""{"targets": []}""", "targets")]
    [TestCase("""{"targets": [{"type": "webhook", "url": "ftp://x"}]}""", "targets[0].url")]
    [TestCase("""{"targets": [{"type": "s3", "prefix": "../../results"}]}""", "targets[0].prefix")]
    [TestCase("""{"targets": [{"type": "email", "recipients": ["not an address"]}]}""", "targets[0].recipients")]
    [TestCase("""{"targets": [{"type": "fax"}]}""", "targets[0].type")]
    public async Task BadInput_Answers400NamingTheField(string overrides, string expected)
    {
        var request = JsonSerializer.SerializeToNode(Scheduler([new { type = "s3", prefix = "ok" }]), JsonSerializerOptions.Web)!.AsObject();
        foreach (var (key, value) in JsonNode(overrides))
        {
            request[key] = value?.DeepClone();
        }

        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/schedulers", request);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task UnknownResource_IsNotFound()
    {
        var (status, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/schedulers",
            Scheduler([new { type = "s3", prefix = "x" }], resource: Guid.NewGuid()));

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private static System.Text.Json.Nodes.JsonObject JsonNode(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
}
