using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.Backend.Deliveries;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Scheduled deliveries of a SQL chart and a dashboard: to a real local webhook receiver (signature,
/// retries with backoff, every attempt logged), to an S3 prefix, by email through the local SMTP server
/// (maildev); a failing query recorded and its owner told; who may manage a scheduler; bad input.
/// </summary>
[Category(TestCategories.Integration)]
public partial class DeliveryTests
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
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ExportRunner>(_host.Services).MaintainAsync(CancellationToken.None);

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
        // How long each retry waits is a pure rule (WebhookOptions.DelayAfter, tested without servers);
        // here: every try reached the receiver, and each retry was a delayed job of its own.
        Assert.That(_receiver.Calls(path), Has.Count.EqualTo(3));
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
}
