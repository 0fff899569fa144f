using System.Text;
using System.Text.Json;
using Lightdash.Net.Client;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The SDK against a real backend (PostgreSQL, S3): every call as a program would make it.</summary>
[Category(TestCategories.Integration)]
public class ClientSdkTests
{
    private BackendHost _host = null!;
    private LightdashClient _client = null!;

    private sealed record Numbered(long N, string Label);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["Statements:PartitionRows"] = "1000" });
        _client = new LightdashClient(_host.CreateClient(null), _host.AdminToken, new LightdashClientOptions { PageSize = 1000 });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    private Guid Project => _host.ProjectUuid;

    private static string Unique(string sql) => $"{sql} -- {Guid.NewGuid():N}";

    [Test]
    public async Task SubmitAndWait_ThenReadRows_MapsEveryRowToARecord()
    {
        var first = await _client.SubmitAndWaitAsync(
            Project, QueryRequest.Sql(Unique("select n, 'row ' || n as label from generate_series(1, 2500) as n order by n")), TimeSpan.FromSeconds(60));
        Assert.That(first.TotalResults, Is.EqualTo(2500));

        var rows = new List<Numbered>();
        await foreach (var row in _client.ReadRowsAsync<Numbered>(Project, first.QueryUuid))
        {
            rows.Add(row);
        }

        Assert.That(rows.Select(r => r.N), Is.EqualTo(Enumerable.Range(1, 2500).Select(i => (long)i)));
        Assert.That(rows[41].Label, Is.EqualTo("row 42"));
    }

    [Test]
    public async Task GetResult_IsNullUntilReady_ThenWaitAnswersTheFirstPage()
    {
        var submitted = await _client.SubmitAsync(Project, QueryRequest.Sql(Unique("select pg_sleep(0.5), 1 as n")));
        Assert.That(await _client.GetResultAsync(Project, submitted.QueryUuid), Is.Null);
        var page = await _client.WaitAsync(Project, submitted.QueryUuid, TimeSpan.FromSeconds(30));
        Assert.That(page.Rows.Single().GetProperty("n").GetInt32(), Is.EqualTo(1));
        Assert.That(await _client.GetResultAsync(Project, submitted.QueryUuid), Is.Not.Null);
    }

    [Test]
    public async Task AFailingQuery_IsAQueryFailedException_CarryingTheWarehousesSqlState()
    {
        var failure = await ThrowsAsync<QueryFailedException>(() =>
            _client.SubmitAndWaitAsync(Project, QueryRequest.Sql(Unique("select 1 / 0 as boom")), TimeSpan.FromSeconds(30)));
        Assert.That((failure.Status, failure.SqlState), Is.EqualTo((Client.QueryStatus.Error, "22012")));
    }

    [Test]
    public async Task ABadRequest_IsALightdashApiException_WithTheEnvelope()
    {
        var error = await ThrowsAsync<LightdashApiException>(() => _client.SubmitAsync(Project, QueryRequest.Sql("")));
        Assert.That((error.StatusCode, error.Name), Is.EqualTo((System.Net.HttpStatusCode.BadRequest, "ParameterError")));
        var missing = await ThrowsAsync<LightdashApiException>(() => _client.GetResultAsync(Project, Guid.NewGuid()));
        Assert.That(missing.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NotFound));
    }

    [Test]
    public async Task ABatch_IsSubmittedAtOnce_AndCollectedWhenEveryQueryHasEnded()
    {
        var requests = Enumerable.Range(1, 3).Select(i => QueryRequest.Sql(Unique($"select {i} as n"))).ToList();
        var submitted = await _client.SubmitBatchAsync(Project, requests);
        var states = await _client.CollectBatchAsync(Project, [.. submitted.Select(s => s.QueryUuid)], TimeSpan.FromSeconds(60));
        Assert.That(states.Select(s => s.Status), Is.All.EqualTo(Client.QueryStatus.Ready));
        for (var i = 0; i < 3; i++)
        {
            var page = await _client.GetPageAsync(Project, submitted[i].QueryUuid, 1);
            Assert.That(page.Rows.Single().GetProperty("n").GetInt32(), Is.EqualTo(i + 1));
        }
    }

    [Test]
    public async Task Priority_GoesWithTheSubmit_AndCancelEndsTheQuery()
    {
        var submitted = await _client.SubmitAsync(Project, QueryRequest.Sql(Unique("select pg_sleep(30)")).WithPriority(QueryPriority.High));
        Assert.That((await _client.GetStateAsync(Project, submitted.QueryUuid)).Priority, Is.EqualTo("high"));
        var history = await _client.GetHistoryAsync(Project, pageSize: 100);
        Assert.That(history.Queries.Any(q => q.GetProperty("queryUuid").GetGuid() == submitted.QueryUuid && q.GetProperty("priority").GetString() == "high"), Is.True);
        Assert.That(history.TotalResults, Is.GreaterThanOrEqualTo(history.Queries.Count));
        await _client.CancelAsync(Project, submitted.QueryUuid);
        var failure = await ThrowsAsync<QueryFailedException>(() => _client.WaitAsync(Project, submitted.QueryUuid, TimeSpan.FromSeconds(10)));
        Assert.That(failure.Status, Is.EqualTo(Client.QueryStatus.Cancelled));
    }

    [Test]
    public async Task ReadPages_GivesEveryPageInOrder()
    {
        var first = await _client.SubmitAndWaitAsync(Project, QueryRequest.Sql(Unique("select n from generate_series(1, 3000) as n order by n")), TimeSpan.FromSeconds(60));
        var pages = new List<QueryPage>();
        await foreach (var page in _client.ReadPagesAsync(Project, first.QueryUuid))
        {
            pages.Add(page);
        }

        Assert.That(pages.Select(p => p.Page), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(pages.SelectMany(p => p.Rows).Select(r => r.GetProperty("n").GetInt64()), Is.EqualTo(Enumerable.Range(1, 3000).Select(i => (long)i)));
    }

    [Test]
    public async Task Statements_RunInASession_AndAreReadByPartition()
    {
        var session = await _client.OpenStatementSessionAsync();
        var result = await _client.ExecuteStatementAsync(
            Project, Unique("select n from generate_series(1, 2500) as n where n > ? order by n"), [new StatementBinding("FIXED", "0")], session, timeoutSeconds: 30);
        Assert.That((result.Done, result.TotalRows, result.Partitions), Is.EqualTo((true, 2500L, 3)));
        var last = await _client.GetStatementPartitionAsync(result.StatementHandle, 2, session);
        Assert.That(last.Rows.Select(r => r[0]), Is.EqualTo(Enumerable.Range(2001, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        await _client.CloseStatementSessionAsync(session);
        await ThrowsAsync<LightdashApiException>(() => _client.GetStatementPartitionAsync(result.StatementHandle, 0, session));
    }

    [Test]
    public async Task AnExportJob_IsDownloadedIntoAStream()
    {
        var first = await _client.SubmitAndWaitAsync(Project, QueryRequest.Sql(Unique("select n, n * 2 as twice from generate_series(1, 100) as n order by n")), TimeSpan.FromSeconds(60));
        var jobId = await _client.ScheduleDownloadAsync(Project, first.QueryUuid, "csv");
        using var file = new MemoryStream();
        var job = await _client.DownloadExportAsync(jobId, file, TimeSpan.FromSeconds(60));
        var lines = Encoding.UTF8.GetString(file.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That((job.Status, lines.Length, lines[0].Trim(), lines[100].Trim()), Is.EqualTo(("completed", 101, "n,twice", "100,200")));
    }

    private static async Task<T> ThrowsAsync<T>(Func<Task> call)
        where T : Exception
    {
        try
        {
            await call();
        }
        catch (T expected)
        {
            return expected;
        }

        Assert.Fail($"{typeof(T).Name} was not thrown");
        throw new InvalidOperationException();
    }
}
