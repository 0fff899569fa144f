using System.Collections.Concurrent;
using Hangfire;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Backend.Clients;
using Lightdash.Net.Backend.Services;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Scheduled deliveries of a SQL chart and a dashboard: to a real local webhook receiver (signature,
/// retries with backoff, every attempt logged), to an S3 prefix, by email through the local SMTP server
/// (maildev); a failing query recorded and its owner told; who may manage a scheduler; bad input.
/// </summary>
[Category(TestCategories.Integration)]
public class DeliveryTests
{
    private BackendHost _host = null!;
    private WebhookReceiver _receiver = null!;
    private Guid _sqlChart;
    private Guid _dashboard;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        _receiver = WebhookReceiver.Start();
        await _host.Warehouse.ExecuteAsync("""
            create table sales (id int4, region text, amount numeric(10,2));
            insert into sales values (1, 'EU', 10.50), (2, 'US', 20.00), (3, 'EU, "north"', 30.25);
            """);
        _sqlChart = await CreateSqlChartAsync("Sales by id", "select * from sales order by id");
        var (_, dashboard) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/dashboards", new
        {
            name = "Sales board",
            tiles = new[] { new { savedSqlUuid = _sqlChart } },
        });
        _dashboard = dashboard.GetProperty("results").GetProperty("dashboardUuid").GetGuid();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _receiver.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<Guid> CreateSqlChartAsync(string name, string sql)
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/sqlCharts", new { name, sql });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("savedSqlUuid").GetGuid();
    }

    private async Task<JsonElement> CreateSchedulerAsync(object request, HttpClient? client = null)
    {
        var (status, body) = await BackendHost.SendAsync(client ?? _host.Client, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/schedulers", request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results");
    }

    private object Scheduler(object[] targets, string resourceType = "sqlChart", Guid? resource = null, string format = "csv") => new
    {
        name = $"Daily sales {Guid.NewGuid():N}",
        resourceType,
        resourceUuid = resource ?? _sqlChart,
        cron = "0 6 * * *",
        timezone = "Europe/London",
        format,
        targets,
        enabled = false,
    };

    private async Task<JsonElement> RunAndWaitAsync(Guid schedulerUuid)
    {
        var (status, started) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/schedulers/{schedulerUuid}/run");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), started.ToString());
        var deliveryUuid = started.GetProperty("results").GetProperty("deliveryUuid").GetGuid();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var (_, logs) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"/api/v1/schedulers/{schedulerUuid}/logs");
            var delivery = logs.GetProperty("results").EnumerateArray().FirstOrDefault(d => d.GetProperty("deliveryUuid").GetGuid() == deliveryUuid);
            if (delivery.ValueKind == JsonValueKind.Object && delivery.GetProperty("status").GetString() != "running")
            {
                return delivery;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Delivery {deliveryUuid} did not finish");
    }

    private static async Task<List<JsonElement>> MailsAsync(string subjectPart)
    {
        using var http = new HttpClient();
        var mails = await http.GetFromJsonAsync<JsonElement>($"{TestServers.MailWebUrl}/api/email");
        return mails.EnumerateArray().Where(m => m.GetProperty("subject").GetString()!.Contains(subjectPart, StringComparison.Ordinal)).ToList();
    }

    private static async Task<JsonElement> MailAsync(string subjectPart)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if ((await MailsAsync(subjectPart)).FirstOrDefault() is { ValueKind: JsonValueKind.Object } mail)
            {
                return mail;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No email about {subjectPart} reached the SMTP server");
    }

    [Test]
    public async Task Webhook_ReceivesASignedPayload_WithLinksToTheFile()
    {
        var path = $"/hook/{Guid.NewGuid():N}";
        var scheduler = await CreateSchedulerAsync(Scheduler([new { type = "webhook", url = _receiver.Url(path), secret = "s3cret" }]));

        var delivery = await RunAndWaitAsync(scheduler.GetProperty("schedulerUuid").GetGuid());

        Assert.That(delivery.GetProperty("status").GetString(), Is.EqualTo("delivered"), delivery.ToString());
        var call = _receiver.Calls(path).Single();
        var timestamp = call.Headers[WebhookSender.TimestampHeader];
        Assert.That(call.Headers[WebhookSender.SignatureHeader], Is.EqualTo(WebhookSender.Sign("s3cret", long.Parse(timestamp!, System.Globalization.CultureInfo.InvariantCulture), call.Body)));
        Assert.That(call.Headers[WebhookSender.DeliveryHeader], Is.EqualTo(delivery.GetProperty("deliveryUuid").GetString()));
        var payload = JsonDocument.Parse(call.Body).RootElement;
        var file = payload.GetProperty("files").EnumerateArray().Single();
        Assert.That(file.GetProperty("rowCount").GetInt64(), Is.EqualTo(3));
        using var browser = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip });
        var csv = await browser.GetStringAsync(file.GetProperty("url").GetString());
        Assert.That(csv, Is.EqualTo("id,region,amount\r\n1,EU,10.50\r\n2,US,20.00\r\n3,\"EU, \"\"north\"\"\",30.25\r\n"));
        Assert.That(scheduler.GetProperty("targets")[0].GetProperty("hasSecret").GetBoolean(), Is.True);
        Assert.That(scheduler.GetProperty("targets")[0].TryGetProperty("secret", out _), Is.False, "the secret is never shown");
    }

    [Test]
    public async Task DeliveredFiles_ExpireWithTheirLinks()
    {
        var scheduler = await CreateSchedulerAsync(Scheduler([new { type = "s3", prefix = "expiring" }]));
        var delivery = await RunAndWaitAsync(scheduler.GetProperty("schedulerUuid").GetGuid());
        var key = delivery.GetProperty("files")[0].GetProperty("key").GetString()!;
        var expiresAt = await _host.Metadata.ScalarAsync<DateTime>("select expires_at from export_jobs where file_key = @k", ("k", key));
        Assert.That(expiresAt, Is.EqualTo(DateTime.UtcNow.AddDays(1)).Within(TimeSpan.FromMinutes(5)), "as long as the links work");
        await _host.S3.GetObjectMetadataAsync(TestServers.S3Bucket, key);

        await _host.Metadata.ExecuteAsync($"update export_jobs set expires_at = now() - interval '1 second' where file_key = '{key}'");
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Services.ExportRunner>(_host.Services).MaintainAsync(CancellationToken.None);

        HttpStatusCode? status = null;
        try
        {
            await _host.S3.GetObjectMetadataAsync(TestServers.S3Bucket, key);
        }
        catch (Amazon.S3.AmazonS3Exception e)
        {
            status = e.StatusCode;
        }

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), "the file was deleted");
    }

    [Test]
    public async Task Webhook_FailingTwice_IsRetriedWithBackoff_AndEveryAttemptIsLogged()
    {
        var path = $"/flaky/{Guid.NewGuid():N}";
        _receiver.FailFirst(path, 2);
        var scheduler = await CreateSchedulerAsync(Scheduler([new { type = "webhook", url = _receiver.Url(path) }]));

        var delivery = await RunAndWaitAsync(scheduler.GetProperty("schedulerUuid").GetGuid());

        Assert.That(delivery.GetProperty("status").GetString(), Is.EqualTo("delivered"));
        var attempts = delivery.GetProperty("attempts").EnumerateArray()
            .Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("succeeded").GetBoolean(), a.TryGetProperty("statusCode", out var code) ? code.GetInt32() : (int?)null))
            .ToList();
        Assert.That(attempts, Is.EqualTo(new[] { (1, false, (int?)null), (2, false, null), (3, true, 200) }), "a failed call's status is not shown");
        // Each retry is a delayed job: it waits at least its backoff (100 ms, then 200 ms), with no worker held meanwhile.
        var times = _receiver.Calls(path).Select(c => c.At).ToList();
        Assert.That(times[1] - times[0], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(100)));
        Assert.That(times[2] - times[1], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200)));
        var deliveryUuid = delivery.GetProperty("deliveryUuid").GetString();
        Assert.That(
            await _host.Metadata.ScalarAsync<long>($"select count(*) from hangfire.job where invocationdata::text like '%RetryAsync%' and arguments::text like '%{deliveryUuid}%'"),
            Is.EqualTo(2),
            "the two retries were delayed jobs of their own");
    }

    [Test]
    public async Task Webhook_AlwaysFailing_GivesUp_AndAnotherTargetStillGetsItsFiles()
    {
        var path = $"/down/{Guid.NewGuid():N}";
        _receiver.FailFirst(path, 100);
        var prefix = $"reports/{Guid.NewGuid():N}";
        var scheduler = await CreateSchedulerAsync(Scheduler([new { type = "webhook", url = _receiver.Url(path) }, new { type = "s3", prefix }], format: "parquet"));

        var delivery = await RunAndWaitAsync(scheduler.GetProperty("schedulerUuid").GetGuid());

        Assert.That(delivery.GetProperty("status").GetString(), Is.EqualTo("partial"), delivery.ToString());
        Assert.That(delivery.GetProperty("attempts").EnumerateArray().Count(a => a.GetProperty("targetType").GetString() == "webhook"), Is.EqualTo(4));
        var name = delivery.GetProperty("files")[0].GetProperty("name").GetString();
        var copied = await _host.S3.GetObjectMetadataAsync(TestServers.S3Bucket, $"{_host.Prefix}deliveries/{_host.ProjectUuid}/{prefix}/{name}");
        Assert.That(copied.ContentLength, Is.EqualTo(delivery.GetProperty("files")[0].GetProperty("byteSize").GetInt64()));
    }

    [Test]
    public async Task Webhook_FailuresOfEveryKind_LookAlikeToTheOwner()
    {
        // An error status, a closed port and a link-local address (never called): a port scanner
        // learns nothing from the log but "failed", the same number of times.
        var path = $"/down/{Guid.NewGuid():N}";
        _receiver.FailFirst(path, 100);
        var closedPort = ChildProcess.FreePort();
        var scheduler = await CreateSchedulerAsync(Scheduler(
        [
            new { type = "webhook", url = _receiver.Url(path) },
            new { type = "webhook", url = $"http://127.0.0.1:{closedPort}/hook" },
            new { type = "webhook", url = "http://169.254.169.254/latest/meta-data/" },
        ]));

        var delivery = await RunAndWaitAsync(scheduler.GetProperty("schedulerUuid").GetGuid());

        Assert.That(delivery.GetProperty("status").GetString(), Is.EqualTo("failed"), delivery.ToString());
        var outcomes = delivery.GetProperty("attempts").EnumerateArray()
            .GroupBy(a => a.GetProperty("targetIndex").GetInt32())
            .Select(g => string.Join("|", g.Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("succeeded").GetBoolean(), a.GetProperty("error").GetString(),
                a.TryGetProperty("statusCode", out _), a.TryGetProperty("durationMs", out _)))))
            .ToList();
        Assert.That(outcomes, Has.Count.EqualTo(3));
        Assert.That(outcomes.Distinct().ToList(), Has.Count.EqualTo(1), string.Join("\n", outcomes));
        Assert.That(outcomes[0], Does.Contain(WebhookDeliveries.FailedWebhookCall).And.Contain("(4, False"));
    }

    [Test]
    public async Task Webhook_WithCredentialsInItsUrl_Returns400()
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/schedulers",
            Scheduler([new { type = "webhook", url = _receiver.Url("/x").Replace("http://", "http://user:pw@", StringComparison.Ordinal) }]));

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("must not carry a user name or password"));
    }

    [Test]
    public async Task Email_IsReceivedByTheSmtpServer_WithTheFileAttached()
    {
        var name = $"Mail {Guid.NewGuid():N}";
        var scheduler = await CreateSchedulerAsync(new
        {
            name, resourceType = "dashboard", resourceUuid = _dashboard, cron = "0 6 * * 1", format = "xlsx", enabled = false,
            targets = new[] { new { type = "email", recipients = new[] { "team@example.com", "boss@example.com" } } },
        });

        var delivery = await RunAndWaitAsync(scheduler.GetProperty("schedulerUuid").GetGuid());

        Assert.That(delivery.GetProperty("status").GetString(), Is.EqualTo("delivered"), delivery.ToString());
        var mail = await MailAsync(name);
        Assert.That(mail.GetProperty("to").EnumerateArray().Select(t => t.GetProperty("address").GetString()), Is.EquivalentTo(new[] { "team@example.com", "boss@example.com" }));
        var attachment = mail.GetProperty("attachments").EnumerateArray().Single();
        Assert.That(attachment.GetProperty("generatedFileName").GetString(), Does.EndWith(".xlsx"));
        Assert.That(mail.GetProperty("text").GetString(), Does.Contain("3 rows"));
    }

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

    /// <summary>A real HTTP receiver on loopback: records every call, and answers 503 to the first N calls of a path when told.</summary>
    private sealed class WebhookReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentDictionary<string, ConcurrentQueue<Call>> _calls = new();
        private readonly ConcurrentDictionary<string, int> _failures = new();
        private readonly int _port;

        private WebhookReceiver(int port)
        {
            _port = port;
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public sealed record Call(DateTime At, Dictionary<string, string?> Headers, byte[] Body);

        public static WebhookReceiver Start()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return new WebhookReceiver(port);
        }

        public string Url(string path) => $"http://127.0.0.1:{_port}{path}";

        public void FailFirst(string path, int times) => _failures[path] = times;

        public List<Call> Calls(string path) => _calls.TryGetValue(path, out var calls) ? calls.ToList() : [];

        public void Dispose() => _listener.Close();

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var path = context.Request.Url!.AbsolutePath;
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k], StringComparer.OrdinalIgnoreCase);
                _calls.GetOrAdd(path, _ => new ConcurrentQueue<Call>()).Enqueue(new Call(DateTime.UtcNow, headers, body.ToArray()));
                var fail = _failures.TryGetValue(path, out var left) && left > 0;
                if (fail)
                {
                    _failures[path] = left - 1;
                }

                context.Response.StatusCode = fail ? 503 : 200;
                context.Response.Close(Encoding.UTF8.GetBytes("{}"), false);
            }
        }
    }
}
