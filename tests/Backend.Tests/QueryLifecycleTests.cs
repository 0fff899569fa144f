using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lightdash.Net.TestSupport;
using static Lightdash.Net.Backend.Tests.RowValues;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Execute, then poll: the life of a query from submission to ready or error.</summary>
[Category(TestCategories.Integration)]
public class QueryLifecycleTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        await _host.Warehouse.ExecuteAsync("create table people (id integer, name text); insert into people select i, 'person ' || i from generate_series(1, 10) i");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task ExecuteSql_AnswersAtOnce_ThenPollingReachesReadyWithTheRows()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var queryUuid = await _host.SubmitAsync("select id, name from people order by id");

        var results = await _host.WaitForFinalStateAsync(queryUuid);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("ready"));
        Assert.That(results.GetProperty("queryUuid").GetGuid(), Is.EqualTo(queryUuid));
        Assert.That(results.GetProperty("totalResults").GetInt64(), Is.EqualTo(10));
        Assert.That(Longs(results, "id"), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)));
        var first = results.GetProperty("rows")[0];
        Assert.That(Raw(first, "name").GetString(), Is.EqualTo("person 1"));
        Assert.That(Formatted(first, "id"), Is.EqualTo("1"));
        Assert.That(results.GetProperty("columns").GetProperty("id").GetProperty("type").GetString(), Is.EqualTo("number"));
        Assert.That(results.GetProperty("columns").GetProperty("name").GetProperty("type").GetString(), Is.EqualTo("string"));
        var performance = results.GetProperty("metadata").GetProperty("performance");
        // Each timing lies within what the test itself waited: real durations, not zeros or timestamps.
        var waited = clock.ElapsedMilliseconds;
        Assert.That(performance.GetProperty("queueTimeMs").GetInt64(), Is.InRange(0, waited));
        Assert.That(performance.GetProperty("initialQueryExecutionMs").GetInt64(), Is.InRange(0, waited));
        Assert.That(performance.GetProperty("totalExecutionMs").GetInt64(), Is.InRange(performance.GetProperty("initialQueryExecutionMs").GetInt64(), waited));
    }

    [Test]
    public async Task ExecuteSql_ReturnsBeforeTheQueryFinishes()
    {
        var queryUuid = await _host.SubmitAsync("select pg_sleep(1.5) as slept");

        var (_, body) = await _host.GetPageAsync(queryUuid);

        Assert.That(body.GetProperty("results").GetProperty("status").GetString(), Is.AnyOf("pending", "queued", "executing"));
        Assert.That((await _host.WaitForFinalStateAsync(queryUuid)).GetProperty("status").GetString(), Is.EqualTo("ready"));
    }

    [Test]
    public async Task ReadyQuery_HistoryRowRecordsTheWholeLife()
    {
        var queryUuid = await _host.RunToReadyAsync("select id from people", limit: 4);

        await using var connection = new Npgsql.NpgsqlConnection(_host.Metadata.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            """
            select status, compiled_sql, total_row_count, results_file_name, processing_started_at is not null,
                   warehouse_query_id, context, cache_key, columns::text, (request_parameters->>'limit')::int, finished_at >= processing_started_at
            from query_history where query_uuid = @q
            """,
            connection);
        command.Parameters.AddWithValue("q", queryUuid);
        await using var row = await command.ExecuteReaderAsync();
        Assert.That(await row.ReadAsync(), Is.True);

        Assert.That(row.GetString(0), Is.EqualTo("ready"));
        Assert.That(row.GetString(1), Is.EqualTo("select id from people"));
        Assert.That(row.GetInt64(2), Is.EqualTo(4));
        Assert.That(row.GetString(3), Does.StartWith(_host.Prefix).And.EndWith(".jsonl.gz"), "results are stored gzip-compressed by default");
        Assert.That(row.GetBoolean(4), Is.True);
        Assert.That(int.Parse(row.GetString(5), System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0), "the PostgreSQL backend pid");
        Assert.That(row.GetString(6), Is.EqualTo("api"));
        Assert.That(row.GetString(7), Has.Length.EqualTo(64));
        Assert.That(row.GetString(8), Does.Contain("\"reference\": \"id\""));
        Assert.That(row.GetInt32(9), Is.EqualTo(4));
        Assert.That(row.GetBoolean(10), Is.True);
    }

    [Test]
    public async Task BadSql_EndsInError_WithTheWarehouseMessage()
    {
        var queryUuid = await _host.SubmitAsync("select * from missing_table");

        var results = await _host.WaitForFinalStateAsync(queryUuid);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(results.GetProperty("error").GetString(), Does.Contain("relation \"missing_table\" does not exist"));
        Assert.That(results.TryGetProperty("erroredAt", out _), Is.True);
        Assert.That(results.TryGetProperty("rows", out _), Is.False);
    }

    [Test]
    public async Task ErrorWhileStreaming_EndsInError_AndNoResultIsPublished()
    {
        // Division by zero happens at row 5, after rows were already streamed.
        var queryUuid = await _host.SubmitAsync("select 10 / (5 - i) as v from generate_series(1, 10) i");

        var results = await _host.WaitForFinalStateAsync(queryUuid);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(results.GetProperty("error").GetString(), Does.Contain("division by zero"));
    }

    [Test]
    public async Task DuplicateColumnNames_EndInErrorNamingTheColumn()
    {
        var queryUuid = await _host.SubmitAsync("select 1 as a, 2 as a");

        var results = await _host.WaitForFinalStateAsync(queryUuid);

        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(results.GetProperty("error").GetString(), Does.Contain("\"a\" appears more than once"));
    }

    [Test]
    public async Task Limit_KeepsOnlyThatManyRows()
    {
        var queryUuid = await _host.RunToReadyAsync("select id from people order by id;", limit: 3);

        var (_, body) = await _host.GetPageAsync(queryUuid);

        Assert.That(Longs(body.GetProperty("results"), "id"), Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test]
    public async Task ExecuteSql_UnknownProject_Returns404WithTheErrorEnvelope()
    {
        using var response = await _host.Client.PostAsJsonAsync($"{_host.QueryPath(Guid.NewGuid())}/sql", new { sql = "select 1" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(body.GetProperty("error").GetProperty("statusCode").GetInt32(), Is.EqualTo(404));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("does not exist"));
    }

    [Test]
    public async Task GetResults_UnknownQuery_Returns404()
    {
        var (status, body) = await _host.GetPageAsync(Guid.NewGuid());

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body.GetProperty("error").GetProperty("name").GetString(), Is.EqualTo("NotFoundError"));
    }

    [Test]
    public async Task GetResults_QueryOfAnotherProject_Returns404()
    {
        var queryUuid = await _host.RunToReadyAsync("select 1 as one");

        var (status, _) = await _host.GetPageAsync(queryUuid, projectUuid: _host.OtherProjectUuid);

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("{}", "sql is required")]
    [TestCase("{\"sql\":\"   \"}", "sql is required")]
    [TestCase("{\"sql\":\"select 1\",\"limit\":0}", "limit must be 1 or more")]
    [TestCase("{\"sql\":\"select 1\",\"limit\":\"ten\"}", "limit")]
    [TestCase("{\"sql\":", "Invalid request")]
    [TestCase("not json", "Invalid request")]
    public async Task ExecuteSql_BadBody_Returns400WithAMessage(string json, string expectedMessage)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _host.Client.PostAsync($"{_host.QueryPath()}/sql", content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expectedMessage));
    }

    [Test]
    public async Task RoutesWithIdsThatAreNotUuids_Return400()
    {
        using var response = await _host.Client.GetAsync("/api/v2/projects/not-a-uuid/query/also-not");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("projectUuid"));
    }

    [Test]
    public async Task UnknownRoute_Returns404WithTheErrorEnvelope()
    {
        using var response = await _host.Client.GetAsync("/api/v2/nothing-here");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("error"));
    }
}
