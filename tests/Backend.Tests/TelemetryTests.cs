using System.Diagnostics;
using System.Net;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// OpenTelemetry: one trace per query from the submitting request through the job on the warehouse
/// and S3, with the queryUuid on the backend's spans (exported to an in-process collector); metrics in
/// Prometheus' format for organisation admins.
/// </summary>
[Category(TestCategories.Integration)]
public class TelemetryTests
{
    private readonly List<Activity> _spans = [];
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() =>
        _host = await BackendHost.StartAsync(services: services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(_spans)));

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private List<Activity> Spans()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    [Test]
    public async Task AQuery_IsOneTrace_FromTheRequestThroughTheJobToTheWarehouseAndS3()
    {
        var results = await _host.ExecuteAsync(new { sql = $"select generate_series(1, 3000) as n -- {Guid.NewGuid():N}", waitMs = 20_000 });
        var queryUuid = results.GetProperty("queryUuid").GetString();

        var run = await Eventually.ValueAsync(
            () => Task.FromResult(Spans().FirstOrDefault(s => s.OperationName == "query.run" && (string?)s.GetTagItem("lightdash.query_uuid") == queryUuid)),
            TimeSpan.FromSeconds(10), "the job's span");
        // The request's own span ends after its answer was sent (it waited for the query): it may be exported last.
        await Eventually.UntilAsync(
            () => Task.FromResult(Spans().Any(s => s.TraceId == run!.TraceId && s.Kind == ActivityKind.Server)),
            TimeSpan.FromSeconds(10), "the request's span");
        var trace = Spans().Where(s => s.TraceId == run!.TraceId).ToList();

        Assert.That(trace.Select(s => s.OperationName), Is.SupersetOf(new[] { "query.submit", "query.run", "warehouse.execute", "results.store" }));
        Assert.That(trace.Where(s => s.Source.Name == "Lightdash.Net").Select(s => s.GetTagItem("lightdash.query_uuid")), Is.All.EqualTo(queryUuid));
        Assert.That(trace.Any(s => s.Kind == ActivityKind.Server && s.DisplayName.StartsWith("POST", StringComparison.Ordinal)), Is.True, "the submitting request is the trace's root");
        Assert.That(trace.Any(s => s.Source.Name == "Npgsql" && s.ParentSpanId != default), Is.True, "the warehouse command is in the trace");
        Assert.That(trace.Any(s => s.Source.Name.StartsWith("System.Net.Http", StringComparison.Ordinal)), Is.True, "the S3 calls are in the trace");
        Assert.That(run!.GetTagItem("lightdash.status"), Is.EqualTo("ready"));
    }

    [Test]
    public async Task Metrics_AreServedInPrometheusFormat_ToOrganisationAdmins()
    {
        await _host.ExecuteAsync(new { sql = $"select 1 as one -- {Guid.NewGuid():N}", waitMs = 20_000 });
        using var member = await _host.CreateMemberClientAsync($"viewer-{Guid.NewGuid():N}@example.com", "viewer");

        var text = await Eventually.ValueAsync(async () =>
        {
            using var response = await _host.Client.GetAsync("/metrics");
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && body.Contains("lightdash_queries_finished", StringComparison.Ordinal) ? body : null;
        }, TimeSpan.FromSeconds(15), "the metrics of a finished query");
        using var asMember = await member.GetAsync("/metrics");
        using var anonymous = await _host.CreateClient(null).GetAsync("/metrics");

        Assert.That(text, Does.Contain("lightdash_queries_submitted_total").And.Contain("lightdash_queries_queue_wait").And.Contain("lightdash_results_rows_written")
            .And.Contain("lightdash_queries_execution_time").And.Contain("status=\"ready\""));
        Assert.That(asMember.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
