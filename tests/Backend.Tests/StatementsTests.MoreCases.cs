using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

// StatementsTests, continued: morecases.
public partial class StatementsTests
{
    [Test]
    public async Task RequestId_SentTwiceAtOnce_RunsOnce()
    {
        var requestId = Guid.NewGuid();
        var statement = new { statement = $"select {Random.Shared.Next(1, 1_000_000)} as concurrent" };

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SubmitAsync(statement, $"?requestId={requestId}&async=true")));

        Assert.That(answers.Select(a => a.Status), Is.All.AnyOf(HttpStatusCode.OK, HttpStatusCode.Accepted));
        Assert.That(answers.Select(Handle).Distinct().Count(), Is.EqualTo(1));
        await WaitForFinishAsync(Handle(answers[0]));
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from query_history where compiled_sql = @sql", ("sql", statement.statement)), Is.EqualTo(1));
    }

    [Test]
    public async Task Cancel_StopsTheStatement_AndAFinishedOneIsAConflict()
    {
        // SQL of its own: another test's identical statement would be joined (single flight) instead of run.
        var answer = await SubmitAsync(new { statement = "select pg_sleep(60) as slept_by_cancel" }, "?async=true");
        var handle = Handle(answer);
        await _host.WaitForStatusAsync(handle, "executing");

        var cancel = await SendAsync(HttpMethod.Post, $"/api/v2/statements/{handle}/cancel", project: false);

        Assert.That(cancel.Status, Is.EqualTo(HttpStatusCode.OK), cancel.Body.ToString());
        Assert.That(cancel.Body.GetProperty("code").GetString(), Is.EqualTo("000604"));
        var after = await GetAsync(handle);
        Assert.That(after.Status, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(after.Body.GetProperty("code").GetString(), Is.EqualTo("000604"));
        await Eventually.UntilAsync(
            async () => await _host.Warehouse.ScalarAsync<long>("select count(*) from pg_stat_activity where query like '%pg_sleep(60)%' and state = 'active' and pid <> pg_backend_pid()") == 0,
            TimeSpan.FromSeconds(10), "the warehouse statement stops");
        Assert.That((await SendAsync(HttpMethod.Post, $"/api/v2/statements/{handle}/cancel", project: false)).Status, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Handles_OfAnotherUser_AreNotFound()
    {
        var answer = await SubmitAsync(new { statement = "select 1 as mine" });
        var other = await _host.CreateMemberClientAsync($"dev-{Guid.NewGuid():N}@example.com", "developer");

        Assert.That((await GetAsync(Handle(answer), client: other)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await SendAsync(HttpMethod.Post, $"/api/v2/statements/{Handle(answer)}/cancel", client: other, project: false)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await GetAsync(Guid.NewGuid())).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Submit_NeedsTheDeveloperRole()
    {
        var viewer = await _host.CreateMemberClientAsync($"viewer-{Guid.NewGuid():N}@example.com", "viewer");
        var outsider = await _host.CreateMemberClientAsync($"out-{Guid.NewGuid():N}@example.com", null);

        Assert.That((await SubmitAsync(new { statement = "select 1" }, client: viewer)).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await SubmitAsync(new { statement = "select 1" }, client: outsider)).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Project_IsChosenByDatabaseNameOrUuid_OrTheRequestIsRefused()
    {
        var sql = UniqueSql();
        var byName = await SendAsync(HttpMethod.Post, "/api/v2/statements", new { statement = sql, database = "test PROJECT" }, project: false);
        var byUuid = await SendAsync(HttpMethod.Post, "/api/v2/statements", new { statement = sql, database = _host.ProjectUuid.ToString() }, project: false);
        var none = await SendAsync(HttpMethod.Post, "/api/v2/statements", new { statement = sql }, project: false);
        var unknown = await SendAsync(HttpMethod.Post, "/api/v2/statements", new { statement = sql, database = "nope" }, project: false);

        Assert.That(byName.Status, Is.EqualTo(HttpStatusCode.OK), byName.Body.ToString());
        Assert.That(byUuid.Status, Is.EqualTo(HttpStatusCode.OK), byUuid.Body.ToString());
        Assert.That(none.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(none.Body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("X-Lightdash-Project"));
        Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("""{"statement": ""}""", "statement is required")]
    [TestCase("""{"statement": "select 1", "timeout": -1}""", "timeout")]
    [TestCase("""{"statement": "select 1", "ttl": 90000}""", "ttl")]
    [TestCase("""{"statement": "select 1", "parameters": {"use_cached_result": false}}""", "use_cached_result")]
    [TestCase("""{"statement": "select 1", "parameters": {"multi_statement_count": 2}}""", "multi_statement_count")]
    [TestCase("""{"statement": "select 1", "parameters": {"timezone": "Europe/Paris"}}""", "timezone")]
    public async Task Submit_BadInput_Answers400(string json, string expected)
    {
        var answer = await SubmitAsync(JsonDocument.Parse(json).RootElement);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest), answer.Body.ToString());
        Assert.That(answer.Body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task Parameters_RowsPerResultsetAndQueryTag_Apply()
    {
        var answer = await SubmitAsync(new { statement = "select g from generate_series(1, 50) g", parameters = new { rows_per_resultset = 5, query_tag = "nightly" } });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        Assert.That(answer.Body.GetProperty("resultSetMetaData").GetProperty("numRows").GetInt64(), Is.EqualTo(5));
        Assert.That(await _host.HistoryValueAsync<string>(Handle(answer), "context"), Is.EqualTo("nightly"));
    }

    [Test]
    public async Task BearerToken_WithSnowflakesTokenTypeHeader_IsAccepted()
    {
        using var client = _host.CreateClient(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/statements") { Content = JsonContent.Create(new { statement = UniqueSql() }) };
        request.Headers.Add("Authorization", $"Bearer {_host.AdminToken}");
        request.Headers.Add("X-Snowflake-Authorization-Token-Type", "PROGRAMMATIC_ACCESS_TOKEN");
        request.Headers.Add("X-Lightdash-Project", _host.ProjectUuid.ToString());
        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Sessions_AreTheBoundary_AndClosingOneEndsItsStatementsAndDeletesTheirResults()
    {
        var opened = await SendAsync(HttpMethod.Post, "/api/v2/statements/sessions", project: false);
        Assert.That(opened.Status, Is.EqualTo(HttpStatusCode.OK), opened.Body.ToString());
        var session = opened.Body.GetProperty("results").GetProperty("sessionId").GetString()!;
        var other = (await SendAsync(HttpMethod.Post, "/api/v2/statements/sessions", project: false)).Body.GetProperty("results").GetProperty("sessionId").GetString()!;

        var done = await SubmitAsync(new { statement = "select g from generate_series(1, 10) g" }, session: session);
        var running = await SubmitAsync(new { statement = "select pg_sleep(60) as slept_in_a_session" }, "?async=true", session: session);
        Assert.That(done.Status, Is.EqualTo(HttpStatusCode.OK), done.Body.ToString());
        Assert.That(done.Body.GetProperty("sessionId").GetString(), Is.EqualTo(session));
        var file = await _host.ResultsFileNameAsync(Handle(done));

        Assert.That((await GetAsync(Handle(done))).Status, Is.EqualTo(HttpStatusCode.NotFound), "without the session");
        Assert.That((await GetAsync(Handle(done), session: other)).Status, Is.EqualTo(HttpStatusCode.NotFound), "from another session");
        Assert.That((await GetAsync(Handle(done), session: session)).Status, Is.EqualTo(HttpStatusCode.OK));
        var stranger = await _host.CreateMemberClientAsync($"dev-{Guid.NewGuid():N}@example.com", "developer");
        Assert.That((await GetAsync(Handle(done), session: session, client: stranger)).Status, Is.EqualTo(HttpStatusCode.NotFound), "another user cannot use the session");

        var closed = await SendAsync(HttpMethod.Delete, $"/api/v2/statements/sessions/{session}", project: false);

        Assert.That(closed.Status, Is.EqualTo(HttpStatusCode.OK), closed.Body.ToString());
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from query_history where query_uuid in (@a, @b)", ("a", Handle(done)), ("b", Handle(running))), Is.EqualTo(0));
        Assert.That(await _host.Metadata.ScalarAsync<string>("select end_reason from statements where statement_handle = @h", ("h", Handle(done))), Is.EqualTo("session closed"));
        Assert.That(await ObjectExistsAsync(file), Is.False, "the results were deleted");
        await Eventually.UntilAsync(
            async () => await _host.Warehouse.ScalarAsync<long>("select count(*) from pg_stat_activity where query like '%pg_sleep(60)%' and state = 'active' and pid <> pg_backend_pid()") == 0,
            TimeSpan.FromSeconds(10), "the running statement is stopped");
        Assert.That((await GetAsync(Handle(done), session: session)).Status, Is.EqualTo(HttpStatusCode.NotFound), "the session has ended");
        Assert.That((await SubmitAsync(new { statement = "select 1" }, session: session)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await SendAsync(HttpMethod.Delete, $"/api/v2/statements/sessions/{session}", project: false)).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Sessions_HoldAtMostTheirLimit()
    {
        var session = (await SendAsync(HttpMethod.Post, "/api/v2/statements/sessions", project: false)).Body.GetProperty("results").GetProperty("sessionId").GetString()!;
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await SubmitAsync(new { statement = $"select {i} as n" }, session: session)).Status, Is.EqualTo(HttpStatusCode.OK));
        }

        var fourth = await SubmitAsync(new { statement = "select 4 as n" }, session: session);

        Assert.That(fourth.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), fourth.Body.ToString());
        Assert.That((await SubmitAsync(new { statement = "select 4 as n" })).Status, Is.EqualTo(HttpStatusCode.OK), "without a session there is no such limit");
    }

    [Test]
    public async Task Sessions_ThatExpire_EndTheirStatements()
    {
        var session = (await SendAsync(HttpMethod.Post, "/api/v2/statements/sessions", project: false)).Body.GetProperty("results").GetProperty("sessionId").GetString()!;
        var answer = await SubmitAsync(new { statement = UniqueSql() }, session: session);
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));

        // Its idle time has run out (four hours of waiting, moved into the past).
        await _host.Metadata.ExecuteAsync($"update statement_sessions set expires_at = now() - interval '1 second' where session_id = '{session}'");
        await RunCleanupAsync();

        Assert.That(await _host.Metadata.ScalarAsync<string>("select end_reason from statements where statement_handle = @h", ("h", Handle(answer))), Is.EqualTo("session expired"));
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from query_history where query_uuid = @q", ("q", Handle(answer))), Is.EqualTo(0));
        Assert.That((await SendAsync(HttpMethod.Get, $"/api/v2/statements/sessions/{session}", project: false)).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Statements_PastTheirTtl_End_AndTheirHandleSaysSo()
    {
        var answer = await SubmitAsync(new { statement = "select g from generate_series(1, 20) g", ttl = 1 });
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.Body.ToString());
        var file = await _host.ResultsFileNameAsync(Handle(answer));
        var kept = await SubmitAsync(new { statement = "select 'kept' as k" });

        await Eventually.UntilAsync(
            async () => await _host.Metadata.ScalarAsync<bool>("select expires_at <= now() from statements where statement_handle = @h", ("h", Handle(answer))),
            TimeSpan.FromSeconds(10),
            "the statement's TTL passing on the database's clock");
        await RunCleanupAsync();

        var expired = await GetAsync(Handle(answer));
        Assert.That(expired.Status, Is.EqualTo(HttpStatusCode.Gone), expired.Body.ToString());
        Assert.That(expired.Body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("expired"));
        Assert.That(await ObjectExistsAsync(file), Is.False);
        Assert.That((await GetAsync(Handle(kept))).Status, Is.EqualTo(HttpStatusCode.OK), "a statement within its TTL is left alone");
    }

    [Test]
    public async Task Statements_RunThroughTheSameEngine_CacheAndHistory()
    {
        var sql = $"select {Random.Shared.Next(1, 1_000_000)} as cached";
        var viaQueryApi = await _host.RunToReadyAsync(sql);

        var answer = await SubmitAsync(new { statement = sql });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await _host.HistoryValueAsync<bool>(Handle(answer), "cache_hit"), Is.True, "the result stored by the query API is reused");
        Assert.That(await _host.HistoryValueAsync<string>(Handle(answer), "results_file_name"), Is.EqualTo(await _host.ResultsFileNameAsync(viaQueryApi)));
    }

    private async Task<bool> ObjectExistsAsync(string key)
    {
        try
        {
            await _host.S3.GetObjectMetadataAsync(TestServers.S3Bucket, key);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    // A statement no other test submits: tests never join or reuse each other's queries by accident.
    private static string UniqueSql() => $"select 1 as n, '{Guid.NewGuid():N}' as test_run";
}
