using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.Backend.Statements;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// /api/v2/statements, Snowflake's SQL API shape over the same engine: the documented status codes and
/// bodies, partitions read by range at block edges, bindings bound (never spliced), sync, async and the
/// sync wait running out, requestId retries, cancel, the expiry of statements and sessions, and the
/// isolation of sessions and users.
/// </summary>
[Category(TestCategories.Integration)]
public partial class StatementsTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["Statements:PartitionRows"] = "1000",
            ["Statements:MaxSyncWait"] = "00:00:02",
            ["Statements:MaxStatementsPerSession"] = "3",
            // The sweep is run by the tests themselves, at the moment they choose.
            ["Statements:CleanupCron"] = "0 0 1 1 *",
        });
        await _host.Warehouse.ExecuteAsync("""
            create table people (id int4, name text, born date, seen timestamp, seen_tz timestamptz, score numeric(6,2), ratio float8, active boolean, doc jsonb, photo bytea);
            insert into people values
              (1, 'Ada', '1815-12-10', '2024-01-05 09:15:00.5', '2024-01-05 09:15:00+02', 12.50, 0.25, true, '{"a": 1}', '\xdeadbeef'),
              (2, 'x'' or ''1''=''1', '1970-01-02', '1970-01-01 00:00:01', null, -1.00, null, false, null, null),
              (3, null, null, null, null, null, null, null, null, null);
            """);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private sealed record Answer(HttpStatusCode Status, JsonElement Body, string? Link);

    private async Task<Answer> SendAsync(HttpMethod method, string path, object? body = null, string? session = null, HttpClient? client = null, bool project = true)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (project)
        {
            request.Headers.Add("X-Lightdash-Project", _host.ProjectUuid.ToString());
        }

        if (session is not null)
        {
            request.Headers.Add("X-Lightdash-Session", session);
        }

        using var response = await (client ?? _host.Client).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(
            response.StatusCode,
            text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(),
            response.Headers.TryGetValues("Link", out var links) ? string.Join(", ", links) : null);
    }

    private Task<Answer> SubmitAsync(object body, string query = "", string? session = null, HttpClient? client = null) =>
        SendAsync(HttpMethod.Post, $"/api/v2/statements{query}", body, session, client);

    private Task<Answer> GetAsync(Guid handle, int? partition = null, string? session = null, HttpClient? client = null) =>
        SendAsync(HttpMethod.Get, $"/api/v2/statements/{handle}{(partition is { } p ? $"?partition={p}" : "")}", null, session, client, project: false);

    private static Guid Handle(Answer answer) => answer.Body.GetProperty("statementHandle").GetGuid();

    private async Task<Answer> WaitForFinishAsync(Guid handle, string? session = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var answer = await GetAsync(handle, session: session);
            if (answer.Status != HttpStatusCode.Accepted)
            {
                return answer;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Statement {handle} did not finish");
    }

    private static List<List<string?>> Data(JsonElement body) =>
        body.GetProperty("data").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString()).ToList()).ToList();

    private Task RunCleanupAsync() => _host.Services.GetRequiredService<StatementCleanup>().RunAsync(CancellationToken.None);

    [Test]
    public async Task Submit_Synchronous_AnswersTheFirstPartitionInSnowflakesEncoding()
    {
        var answer = await SubmitAsync(new { statement = "select id, name, born, seen, seen_tz, score, ratio, active, doc, photo from people order by id", timeout = 30 });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        var body = answer.Body;
        Assert.That(body.GetProperty("code").GetString(), Is.EqualTo("090001"));
        Assert.That(body.GetProperty("sqlState").GetString(), Is.EqualTo("00000"));
        Assert.That(body.GetProperty("statementStatusUrl").GetString(), Is.EqualTo($"/api/v2/statements/{Handle(answer)}"));
        Assert.That(body.GetProperty("createdOn").GetInt64(), Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds()));
        var meta = body.GetProperty("resultSetMetaData");
        Assert.That(meta.GetProperty("numRows").GetInt64(), Is.EqualTo(3));
        Assert.That(meta.GetProperty("format").GetString(), Is.EqualTo("jsonv2"));
        var partitions = meta.GetProperty("partitionInfo").EnumerateArray().ToList();
        Assert.That(partitions, Has.Count.EqualTo(1));
        Assert.That(partitions[0].GetProperty("rowCount").GetInt64(), Is.EqualTo(3));
        Assert.That(partitions[0].GetProperty("uncompressedSize").GetInt64(), Is.GreaterThan(0));
        var types = meta.GetProperty("rowType").EnumerateArray().Select(t => (t.GetProperty("name").GetString(), t.GetProperty("type").GetString())).ToList();
        Assert.That(types, Is.EqualTo(new[]
        {
            ("id", "fixed"), ("name", "text"), ("born", "date"), ("seen", "timestamp_ntz"), ("seen_tz", "timestamp_ltz"),
            ("score", "fixed"), ("ratio", "real"), ("active", "boolean"), ("doc", "variant"), ("photo", "binary"),
        }));
        var score = meta.GetProperty("rowType")[5];
        Assert.That((score.GetProperty("precision").GetInt32(), score.GetProperty("scale").GetInt32()), Is.EqualTo((6, 2)));
        Assert.That(meta.GetProperty("rowType")[0].GetProperty("scale").GetInt32(), Is.EqualTo(0));

        var rows = Data(body);
        var bornDays = (new DateOnly(1815, 12, 10).DayNumber - new DateOnly(1970, 1, 1).DayNumber).ToString(CultureInfo.InvariantCulture);
        var seen = (new DateTime(2024, 1, 5, 9, 15, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds.ToString(CultureInfo.InvariantCulture);
        var seenTz = (new DateTime(2024, 1, 5, 7, 15, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds.ToString(CultureInfo.InvariantCulture);
        Assert.That(rows[0], Is.EqualTo(new[] { "1", "Ada", bornDays, $"{seen}.500000000", $"{seenTz}.000000000", "12.50", "0.25", "true", "{\"a\": 1}", "DEADBEEF" }));
        Assert.That(rows[1].Take(4), Is.EqualTo(new[] { "2", "x' or '1'='1", "1", "1.000000000" }));
        Assert.That(rows[2].Skip(1), Is.All.Null, "SQL NULL is JSON null");
    }

    [Test]
    public async Task Submit_NullableFalse_SendsNullAsText()
    {
        var answer = await SubmitAsync(new { statement = "select name from people where id = 3" }, "?nullable=false");

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        Assert.That(Data(answer.Body), Is.EqualTo(new[] { new[] { "null" } }));
        var again = await GetAsync(Handle(answer));
        Assert.That(Data(again.Body), Is.EqualTo(new[] { new[] { "null" } }), "kept for later reads");
    }

    [Test]
    public async Task Submit_Async_Answers202AtOnce_ThenThePollAnswersTheResult()
    {
        var answer = await SubmitAsync(new { statement = "select pg_sleep(0.3) as slept, 7 as n" }, "?async=true");

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.Body.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo("333334"));
        var handle = Handle(answer);
        Assert.That(answer.Body.GetProperty("statementStatusUrl").GetString(), Is.EqualTo($"/api/v2/statements/{handle}"));
        var done = await WaitForFinishAsync(handle);
        Assert.That(done.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Data(done.Body)[0][1], Is.EqualTo("7"));
        Assert.That(await _host.HistoryValueAsync<string>(handle, "context"), Is.EqualTo("statements"), "the handle is the history row's id");
    }

    [Test]
    public async Task Submit_Synchronous_LongerThanTheWait_Answers202WithTheHandle()
    {
        var clock = Stopwatch.StartNew();
        var answer = await SubmitAsync(new { statement = "select pg_sleep(4) as slept" });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Accepted), answer.Body.ToString());
        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1.5)), "it waited for the statement first");
        Assert.That((await WaitForFinishAsync(Handle(answer))).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Submit_PastItsTimeout_Answers422WithTheTimeoutCode()
    {
        var answer = await SubmitAsync(new { statement = "select pg_sleep(5) as slept", timeout = 1 });
        var done = answer.Status == HttpStatusCode.Accepted ? await WaitForFinishAsync(Handle(answer)) : answer;

        Assert.That(done.Status, Is.EqualTo(HttpStatusCode.UnprocessableEntity), done.Body.ToString());
        Assert.That(done.Body.GetProperty("code").GetString(), Is.EqualTo("000630"));
        Assert.That(done.Body.GetProperty("sqlState").GetString(), Is.EqualTo("57014"));
    }

    [TestCase("select * from no_such_table", "002003", "42P01")]
    [TestCase("select from where", "001003", "42601")]
    public async Task Submit_FailingSql_Answers422WithCodeStateAndMessage(string sql, string code, string state)
    {
        var answer = await SubmitAsync(new { statement = sql });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.UnprocessableEntity), answer.Body.ToString());
        Assert.That(answer.Body.GetProperty("code").GetString(), Is.EqualTo(code));
        Assert.That(answer.Body.GetProperty("sqlState").GetString(), Is.EqualTo(state));
        Assert.That(answer.Body.GetProperty("message").GetString(), Is.Not.Empty);
        Assert.That(answer.Body.GetProperty("statementHandle").GetGuid(), Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public async Task Submit_FailingOnDuckDb_ReadsTheStateFromTheMessage()
    {
        var answer = await SendAsync(HttpMethod.Post, "/api/v2/statements", new { statement = "select * from no_such_table", database = _host.DuckDbProjectUuid.ToString() }, project: false);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.UnprocessableEntity), answer.Body.ToString());
        Assert.That((answer.Body.GetProperty("code").GetString(), answer.Body.GetProperty("sqlState").GetString()), Is.EqualTo(("002003", "42S02")));
        Assert.That(await _host.HistoryValueAsync<object>(Handle(answer), "error_sql_state"), Is.EqualTo(DBNull.Value).Or.Null, "DuckDB gives no SQLSTATE");
        var onPostgres = await SubmitAsync(new { statement = "select * from no_such_table" });
        Assert.That(await _host.HistoryValueAsync<string>(Handle(onPostgres), "error_sql_state"), Is.EqualTo("42P01"), "PostgreSQL's own, recorded");
    }

    [Test]
    public async Task Partitions_SplitAtBlockEdges_AndALaterOneIsRowsOnly()
    {
        var answer = await SubmitAsync(new { statement = "select g as n from generate_series(1, 2500) g order by g", timeout = 60 });
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        var handle = Handle(answer);

        var info = answer.Body.GetProperty("resultSetMetaData").GetProperty("partitionInfo").EnumerateArray().Select(p => p.GetProperty("rowCount").GetInt64());
        Assert.That(info, Is.EqualTo(new[] { 1000L, 1000L, 500L }));
        var first = Data(answer.Body);
        Assert.That((first.Count, first[0][0], first[^1][0]), Is.EqualTo((1000, "1", "1000")));
        Assert.That(answer.Link, Does.Contain($"</api/v2/statements/{handle}?partition=1>; rel=\"next\""));

        var second = await GetAsync(handle, 1);
        Assert.That(second.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.Body.TryGetProperty("resultSetMetaData", out _), Is.False, "later partitions carry rows only");
        var rows = Data(second.Body);
        Assert.That((rows.Count, rows[0][0], rows[^1][0]), Is.EqualTo((1000, "1001", "2000")));

        var last = await GetAsync(handle, 2);
        rows = Data(last.Body);
        Assert.That((rows.Count, rows[0][0], rows[^1][0]), Is.EqualTo((500, "2001", "2500")));
        Assert.That(last.Link, Does.Contain("rel=\"prev\"").And.Not.Contain("rel=\"next\""));

        var beyond = await GetAsync(handle, 3);
        Assert.That(beyond.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(beyond.Body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("3 partition(s)"));
        Assert.That((await GetAsync(handle, -1)).Status, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Partitions_OfAnEmptyResult_AreOneEmptyPartition()
    {
        var answer = await SubmitAsync(new { statement = "select id from people where false" });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        var info = answer.Body.GetProperty("resultSetMetaData").GetProperty("partitionInfo").EnumerateArray().ToList();
        Assert.That(info.Select(p => p.GetProperty("rowCount").GetInt64()), Is.EqualTo(new[] { 0L }));
        Assert.That(Data(answer.Body), Is.Empty);
    }

    [Test]
    public async Task Bindings_AreBoundNotSpliced_AnInjectionStringIsAValue()
    {
        var injection = "x' or '1'='1";
        var answer = await SubmitAsync(new
        {
            statement = "select id from people where name = ? or id = :2 order by id",
            bindings = new Dictionary<string, object> { ["1"] = new { type = "TEXT", value = injection }, ["2"] = new { type = "FIXED", value = "-5" } },
        });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        Assert.That(Data(answer.Body), Is.EqualTo(new[] { new[] { "2" } }), "the literal name matched, nothing else");

        var drop = await SubmitAsync(new
        {
            statement = "select count(*) as n from people where name = ?",
            bindings = new Dictionary<string, object> { ["1"] = new { type = "TEXT", value = "'; drop table people; --" } },
        });
        Assert.That(Data(drop.Body), Is.EqualTo(new[] { new[] { "0" } }));
        Assert.That(await _host.Warehouse.ScalarAsync<long>("select count(*) from people"), Is.EqualTo(3));
    }

    [Test]
    public async Task Bindings_OfEveryType_ArriveTyped()
    {
        var answer = await SubmitAsync(new
        {
            statement = "select ? + 1 as fixed, ? * 2 as real, ? as text, not ? as bool, ? + 1 as next_day, ? as ntz, ? as tz, :1 as again, pg_typeof(?)::text as decimal_type, ? as nothing",
            bindings = new Dictionary<string, object>
            {
                ["1"] = new { type = "FIXED", value = "41" },
                ["2"] = new { type = "REAL", value = "1.25" },
                ["3"] = new { type = "TEXT", value = "it's" },
                ["4"] = new { type = "BOOLEAN", value = "false" },
                ["5"] = new { type = "DATE", value = "2024-02-28" },
                ["6"] = new { type = "TIMESTAMP_NTZ", value = "2024-01-05 09:15:00" },
                ["7"] = new { type = "TIMESTAMP_TZ", value = "2024-01-05T09:15:00+02:00" },
                ["8"] = new { type = "FIXED", value = "12.345" },
                ["9"] = new { type = "TEXT", value = (string?)null },
            },
        });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        var row = Data(answer.Body)[0];
        var ntz = (new DateTime(2024, 1, 5, 9, 15, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds.ToString(CultureInfo.InvariantCulture);
        var tz = (new DateTime(2024, 1, 5, 7, 15, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds.ToString(CultureInfo.InvariantCulture);
        var nextDay = (new DateOnly(2024, 2, 29).DayNumber - new DateOnly(1970, 1, 1).DayNumber).ToString(CultureInfo.InvariantCulture);
        Assert.That(row, Is.EqualTo(new[] { "42", "2.5", "it's", "true", nextDay, $"{ntz}.000000000", $"{tz}.000000000", "41", "numeric", null }));
    }

    [TestCase("""{"1": {"type": "FIXED", "value": "1"}}""", "binding \"2\" is missing")]
    [TestCase("""{"1": {"type": "FIXED", "value": "1"}, "2": {"type": "FIXED", "value": "1; drop"}}""", "binding \"2\"")]
    [TestCase("""{"1": {"type": "DATE", "value": "yesterday"}, "2": {"type": "TEXT", "value": "a"}}""", "binding \"1\"")]
    [TestCase("""{"1": {"type": "BLOB", "value": "a"}, "2": {"type": "TEXT", "value": "a"}}""", "BLOB")]
    [TestCase("""{"1": {"value": "a"}, "2": {"type": "TEXT", "value": "a"}}""", "has no type")]
    [TestCase("""{"1": {"type": "TEXT", "value": "a"}, "2": {"type": "TEXT", "value": "a"}, "3": {"type": "TEXT", "value": "a"}}""", "binding \"3\" has no placeholder")]
    [TestCase("""{"one": {"type": "TEXT", "value": "a"}}""", "not a placeholder number")]
    public async Task Bindings_MissingOrIllTyped_Answer400NamingThem(string bindings, string expected)
    {
        var answer = await SubmitAsync(new { statement = "select id from people where id = ? and name = ?", bindings = JsonDocument.Parse(bindings).RootElement });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest), answer.Body.ToString());
        Assert.That(answer.Body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task Placeholders_InsideQuotesAndComments_StayText()
    {
        var answer = await SubmitAsync(new
        {
            statement = "select '?' as q, 'a:1' as colon, 1::int as cast_kept, ? as bound -- is this ?\n",
            bindings = new Dictionary<string, object> { ["1"] = new { type = "TEXT", value = "b" } },
        });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        Assert.That(Data(answer.Body)[0], Is.EqualTo(new[] { "?", "a:1", "1", "b" }));
    }

    [Test]
    public async Task Bindings_OnDuckDb_AreBoundToo()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/statements")
        {
            Content = JsonContent.Create(new
            {
                statement = "select ? * 2 as doubled, ? as label, ? as day",
                database = _host.DuckDbProjectUuid.ToString(),
                bindings = new Dictionary<string, object>
                {
                    ["1"] = new { type = "FIXED", value = "21" },
                    ["2"] = new { type = "TEXT", value = "x' or 1=1 --" },
                    ["3"] = new { type = "DATE", value = "1970-01-11" },
                },
            }),
        };
        using var response = await _host.Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(Data(body)[0], Is.EqualTo(new[] { "42", "x' or 1=1 --", "10" }));
    }

    [Test]
    public async Task RequestId_Retried_AnswersTheSameHandleWithoutRunningAgain()
    {
        var requestId = Guid.NewGuid();
        var statement = new { statement = $"select {Random.Shared.Next(1, 1_000_000)} as n" };

        var first = await SubmitAsync(statement, $"?requestId={requestId}");
        var retry = await SubmitAsync(statement, $"?requestId={requestId}&retry=true");

        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.OK), first.Body.ToString());
        Assert.That(retry.Status, Is.EqualTo(HttpStatusCode.OK), retry.Body.ToString());
        Assert.That(Handle(retry), Is.EqualTo(Handle(first)));
        Assert.That(retry.Body.GetProperty("requestId").GetString(), Is.EqualTo(requestId.ToString()));
        var runs = await _host.Metadata.ScalarAsync<long>("select count(*) from query_history where compiled_sql = @sql", ("sql", statement.statement));
        Assert.That(runs, Is.EqualTo(1), "one history row: the retry did not run it again");

        var other = await SubmitAsync(new { statement = "select 2 as n" }, $"?requestId={requestId}");
        Assert.That(other.Status, Is.EqualTo(HttpStatusCode.Conflict), other.Body.ToString());
    }
}
