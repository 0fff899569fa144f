using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Identities and isolation: tokens, roles, ownership of queries, limits.</summary>
[Category(TestCategories.Integration)]
public class AuthTests
{
    private BackendHost _host = null!;
    private HttpClient _alice = null!;
    private HttpClient _bob = null!;
    private HttpClient _viewer = null!;
    private HttpClient _outsider = null!;
    private Guid _aliceQuery;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        _alice = await _host.CreateMemberClientAsync("alice@example.com", "developer");
        _bob = await _host.CreateMemberClientAsync("bob@example.com", "developer");
        _viewer = await _host.CreateMemberClientAsync("victor@example.com", "viewer");
        _outsider = await _host.CreateMemberClientAsync("olga@example.com", null);
        _aliceQuery = await SubmitAsync(_alice, "select 1 as alices_number");
        await WaitAsync(_alice, _aliceQuery);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _alice.Dispose();
        _bob.Dispose();
        _viewer.Dispose();
        _outsider.Dispose();

        await _host.DisposeAsync();
    }

    private async Task<Guid> SubmitAsync(HttpClient client, string sql)
    {
        using var response = await client.PostAsJsonAsync($"{_host.QueryPath()}/sql", new { sql });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("queryUuid").GetGuid();
    }

    private async Task WaitAsync(HttpClient client, Guid queryUuid)
    {
        using var response = await client.GetAsync($"{_host.QueryPath()}/{queryUuid}?waitMs=20000");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }


    /// <summary>Every route of a project's queries, for one query.</summary>
    private IEnumerable<(HttpMethod Method, string Path, object? Body)> QueryRoutes(Guid queryUuid)
    {
        var query = _host.QueryPath();
        yield return (HttpMethod.Post, $"{query}/sql", new { sql = "select 1" });
        yield return (HttpMethod.Get, $"{query}/{queryUuid}", null);
        yield return (HttpMethod.Get, $"{query}/{queryUuid}/results", null);
        yield return (HttpMethod.Post, $"{query}/{queryUuid}/download", new { type = "csv" });
        yield return (HttpMethod.Post, $"{query}/{queryUuid}/cancel", null);
        yield return (HttpMethod.Delete, $"{query}/{queryUuid}", null);
        yield return (HttpMethod.Get, $"{query}/history", null);
        yield return (HttpMethod.Post, $"{query}/batch", new { queries = new[] { new { sql = "select 1" } } });
        yield return (HttpMethod.Get, $"{query}/batch?ids={queryUuid}", null);
    }

    private IEnumerable<(HttpMethod Method, string Path, object? Body)> AccountRoutes()
    {
        yield return (HttpMethod.Get, "/api/v1/user", null);
        yield return (HttpMethod.Get, "/api/v1/user/personal-access-tokens", null);
        yield return (HttpMethod.Post, "/api/v1/user/personal-access-tokens", new { description = "x" });
        yield return (HttpMethod.Delete, $"/api/v1/user/personal-access-tokens/{Guid.NewGuid()}", null);
        yield return (HttpMethod.Get, "/api/v1/users", null);
        yield return (HttpMethod.Post, "/api/v1/users", new { email = "someone@example.com" });
        yield return (HttpMethod.Get, "/api/v1/projects", null);
        yield return (HttpMethod.Get, $"/api/v1/projects/{_host.ProjectUuid}", null);
        yield return (HttpMethod.Get, $"/api/v1/projects/{_host.ProjectUuid}/access", null);
        yield return (HttpMethod.Put, $"/api/v1/projects/{_host.ProjectUuid}/access/{Guid.NewGuid()}", new { role = "viewer" });
        yield return (HttpMethod.Delete, $"/api/v1/projects/{_host.ProjectUuid}/access/{Guid.NewGuid()}", null);
    }

    [Test]
    public async Task EveryRoute_WithoutAToken_Returns401WithTheEnvelope()
    {
        using var anonymous = _host.CreateClient(null);
        foreach (var (method, path, body) in QueryRoutes(_aliceQuery).Concat(AccountRoutes()))
        {
            var (status, answer) = await BackendHost.SendAsync(anonymous, method, path, body);
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), $"{method} {path}");
            Assert.That(answer.GetProperty("error").GetProperty("statusCode").GetInt32(), Is.EqualTo(401), $"{method} {path}");
        }
    }

    [Test]
    public async Task EveryRoute_WithAnUnknownToken_Returns401()
    {
        using var stranger = _host.CreateClient(PersonalAccessTokens.Generate());
        foreach (var (method, path, body) in QueryRoutes(_aliceQuery).Concat(AccountRoutes()))
        {
            Assert.That((await BackendHost.SendAsync(stranger, method, path, body)).Status, Is.EqualTo(HttpStatusCode.Unauthorized), $"{method} {path}");
        }
    }

    [Test]
    public async Task EveryQueryRoute_InAProjectTheUserIsNotIn_Returns404LikeAMissingProject()
    {
        var missing = Guid.NewGuid();
        foreach (var (method, path, body) in QueryRoutes(_aliceQuery))
        {
            var (status, answer) = await BackendHost.SendAsync(_outsider, method, path, body);
            var (missingStatus, missingAnswer) = await BackendHost.SendAsync(_outsider, method, path.Replace(_host.ProjectUuid.ToString(), missing.ToString(), StringComparison.Ordinal), body);
            Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), $"{method} {path}");
            Assert.That(missingStatus, Is.EqualTo(HttpStatusCode.NotFound), $"{method} {path}");
            Assert.That(
                Message(answer).Replace(_host.ProjectUuid.ToString(), "P", StringComparison.Ordinal),
                Is.EqualTo(Message(missingAnswer).Replace(missing.ToString(), "P", StringComparison.Ordinal)),
                $"{method} {path}: an existing project answers like a missing one");
        }
    }

    private static string Message(JsonElement answer) => answer.GetProperty("error").GetProperty("message").GetString()!;

    [Test]
    public async Task EveryQueryRoute_OnAnotherUsersQuery_Returns404()
    {
        foreach (var (method, path, body) in QueryRoutes(_aliceQuery).Where(r => r.Path.Contains(_aliceQuery.ToString(), StringComparison.Ordinal)))
        {
            var (status, _) = await BackendHost.SendAsync(_bob, method, path, body);
            Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), $"{method} {path}");
        }

        // Alice's query is untouched by Bob's attempts to cancel and delete it.
        var (aliceStatus, page) = await BackendHost.SendAsync(_alice, HttpMethod.Get, $"{_host.QueryPath()}/{_aliceQuery}");
        Assert.That(aliceStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("ready"));
    }

    [Test]
    public async Task History_ListsOnlyTheCallersQueries()
    {
        var bobs = await SubmitAsync(_bob, "select 2 as bobs_number");

        var (_, aliceHistory) = await BackendHost.SendAsync(_alice, HttpMethod.Get, $"{_host.QueryPath()}/history");
        var (_, bobHistory) = await BackendHost.SendAsync(_bob, HttpMethod.Get, $"{_host.QueryPath()}/history");

        var aliceIds = aliceHistory.GetProperty("results").GetProperty("data").EnumerateArray().Select(q => q.GetProperty("queryUuid").GetGuid()).ToList();
        var bobIds = bobHistory.GetProperty("results").GetProperty("data").EnumerateArray().Select(q => q.GetProperty("queryUuid").GetGuid()).ToList();
        Assert.That(aliceIds, Does.Contain(_aliceQuery).And.Not.Contain(bobs));
        Assert.That(bobIds, Does.Contain(bobs).And.Not.Contain(_aliceQuery));
    }

    [Test]
    public async Task Viewer_CannotRunSql_ButCanReadTheProject()
    {
        var (sqlStatus, sqlBody) = await BackendHost.SendAsync(_viewer, HttpMethod.Post, $"{_host.QueryPath()}/sql", new { sql = "select 1" });
        var (batchStatus, _) = await BackendHost.SendAsync(_viewer, HttpMethod.Post, $"{_host.QueryPath()}/batch", new { queries = new[] { new { sql = "select 1" } } });
        var (projectStatus, project) = await BackendHost.SendAsync(_viewer, HttpMethod.Get, $"/api/v1/projects/{_host.ProjectUuid}");
        var (historyStatus, _) = await BackendHost.SendAsync(_viewer, HttpMethod.Get, $"{_host.QueryPath()}/history");

        Assert.That(sqlStatus, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(sqlBody.GetProperty("error").GetProperty("message").GetString(), Does.Contain("developer"));
        Assert.That(batchStatus, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(projectStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(project.GetProperty("results").GetProperty("role").GetString(), Is.EqualTo("viewer"));
        Assert.That(historyStatus, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Developer_CannotManageMembersOrUsers()
    {
        Assert.That((await BackendHost.SendAsync(_alice, HttpMethod.Get, $"/api/v1/projects/{_host.ProjectUuid}/access")).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await BackendHost.SendAsync(_alice, HttpMethod.Put, $"/api/v1/projects/{_host.ProjectUuid}/access/{Guid.NewGuid()}", new { role = "admin" })).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await BackendHost.SendAsync(_alice, HttpMethod.Get, "/api/v1/users")).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await BackendHost.SendAsync(_alice, HttpMethod.Post, "/api/v1/users", new { email = "mallory@example.com" })).Status, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task ProjectAdmin_ManagesMembers()
    {
        using var projectAdmin = await _host.CreateMemberClientAsync($"pa-{Guid.NewGuid():N}@example.com", "admin");
        var (_, users) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, "/api/v1/users");
        var olga = users.GetProperty("results").EnumerateArray().First(u => u.GetProperty("email").GetString() == "olga@example.com").GetProperty("userUuid").GetGuid();

        var (setStatus, _) = await BackendHost.SendAsync(projectAdmin, HttpMethod.Put, $"/api/v1/projects/{_host.OtherProjectUuid}/access/{olga}", new { role = "viewer" });
        var (badRole, badBody) = await BackendHost.SendAsync(projectAdmin, HttpMethod.Put, $"/api/v1/projects/{_host.ProjectUuid}/access/{olga}", new { role = "owner" });
        var (missing, _) = await BackendHost.SendAsync(projectAdmin, HttpMethod.Put, $"/api/v1/projects/{_host.ProjectUuid}/access/{Guid.NewGuid()}", new { role = "viewer" });
        var (listStatus, members) = await BackendHost.SendAsync(projectAdmin, HttpMethod.Get, $"/api/v1/projects/{_host.ProjectUuid}/access");

        Assert.That(setStatus, Is.EqualTo(HttpStatusCode.NotFound), "admin of one project only: the other is as unknown as a missing one");
        Assert.That(badRole, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(badBody.GetProperty("error").GetProperty("message").GetString(), Does.Contain("viewer, developer or admin"));
        Assert.That(missing, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(listStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(members.GetProperty("results").EnumerateArray().Select(m => m.GetProperty("email").GetString()), Does.Contain("alice@example.com"));
    }

    [Test]
    public async Task OrganisationAdmin_CreatesProjects_ProjectAdminsChangeThem()
    {
        var secret = _host.Warehouse.ReaderConnectionString;
        var (created, project) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects", new { name = "Finance", warehouseType = "postgres", connectionString = secret });
        var projectUuid = project.GetProperty("results").GetProperty("projectUuid").GetGuid();
        var (developerCreates, _) = await BackendHost.SendAsync(_alice, HttpMethod.Post, "/api/v1/projects", new { name = "Mine", warehouseType = "postgres", connectionString = secret });
        var (badType, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects", new { name = "Odd", warehouseType = "oracle", connectionString = secret });

        Assert.That(created, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(project.GetRawText(), Does.Not.Contain("Host="), "the connection string is write-only");
        Assert.That(project.GetProperty("results").GetProperty("role").GetString(), Is.EqualTo("admin"));
        Assert.That(developerCreates, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(badType, Is.EqualTo(HttpStatusCode.BadRequest));

        var (renamed, after) = await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/projects/{projectUuid}", new { name = "Finance (EU)", resultsCacheTtlSeconds = 3600 });
        var (developerRenames, _) = await BackendHost.SendAsync(_alice, HttpMethod.Patch, $"/api/v1/projects/{_host.ProjectUuid}", new { name = "Hijacked" });
        var (tooShort, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/projects/{projectUuid}", new { resultsCacheTtlSeconds = 5 });

        Assert.That(renamed, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(after.GetProperty("results").GetProperty("name").GetString(), Is.EqualTo("Finance (EU)"));
        Assert.That(developerRenames, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(tooShort, Is.EqualTo(HttpStatusCode.BadRequest));
        using var onNewProject = await _host.Client.PostAsJsonAsync($"/api/v2/projects/{projectUuid}/query/sql", new { sql = "select 1 as one", waitMs = 20000 });
        var answer = await onNewProject.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(answer.GetProperty("results").GetProperty("firstPage").GetProperty("status").GetString(), Is.EqualTo("ready"), "the new project's warehouse runs queries");
    }

    [Test]
    public async Task Emails_AreUniqueRegardlessOfCase()
    {
        var (first, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/users", new { email = "Grace.Hopper@Example.com" });
        var (second, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/users", new { email = "grace.hopper@example.COM" });

        Assert.That(first, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second, Is.EqualTo(HttpStatusCode.Conflict), body.ToString());
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from users where lower(email) = 'grace.hopper@example.com'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Tokens_AreStoredOnlyAsHashes()
    {
        var (_, created) = await BackendHost.SendAsync(_alice, HttpMethod.Post, "/api/v1/user/personal-access-tokens", new { description = "ci" });
        var token = created.GetProperty("results").GetProperty("token").GetString()!;

        var everything = await _host.Metadata.ScalarAsync<string>("select string_agg(t::text, '|') from personal_access_tokens t");
        var hashed = await _host.Metadata.ScalarAsync<long>("select count(*) from personal_access_tokens where token_hash = @h", ("h", SHA256.HashData(Encoding.UTF8.GetBytes(token))));

        Assert.That(token, Does.StartWith("ldpat_").And.Length.GreaterThanOrEqualTo(6 + 43), "at least 256 random bits");
        Assert.That(everything, Does.Not.Contain(token[6..]));
        Assert.That(hashed, Is.EqualTo(1));
        var (_, list) = await BackendHost.SendAsync(_alice, HttpMethod.Get, "/api/v1/user/personal-access-tokens");
        Assert.That(list.GetRawText(), Does.Not.Contain(token[6..]), "lists never show the token");
    }

    [Test]
    public async Task RevokedToken_FailsFromTheNextRequest()
    {
        var (_, created) = await BackendHost.SendAsync(_alice, HttpMethod.Post, "/api/v1/user/personal-access-tokens", new { description = "to revoke" });
        var token = created.GetProperty("results").GetProperty("token").GetString()!;
        var tokenUuid = created.GetProperty("results").GetProperty("tokenUuid").GetGuid();
        using var withToken = _host.CreateClient(token);
        Assert.That((await BackendHost.SendAsync(withToken, HttpMethod.Get, "/api/v1/user")).Status, Is.EqualTo(HttpStatusCode.OK));

        var (revokeStatus, _) = await BackendHost.SendAsync(_alice, HttpMethod.Delete, $"/api/v1/user/personal-access-tokens/{tokenUuid}");
        var (status, body) = await BackendHost.SendAsync(withToken, HttpMethod.Get, "/api/v1/user");

        Assert.That(revokeStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("revoked"));
        Assert.That((await BackendHost.SendAsync(_bob, HttpMethod.Delete, $"/api/v1/user/personal-access-tokens/{tokenUuid}")).Status, Is.EqualTo(HttpStatusCode.NotFound), "not Bob's token");
    }

    [Test]
    public async Task ExpiredToken_Returns401()
    {
        var (_, created) = await BackendHost.SendAsync(_alice, HttpMethod.Post, "/api/v1/user/personal-access-tokens", new { description = "short", expiresAt = DateTimeOffset.UtcNow.AddHours(1) });
        var tokenUuid = created.GetProperty("results").GetProperty("tokenUuid").GetGuid();
        using var withToken = _host.CreateClient(created.GetProperty("results").GetProperty("token").GetString());
        await _host.Metadata.ExecuteAsync($"update personal_access_tokens set expires_at = now() - interval '1 second' where token_uuid = '{tokenUuid}'");

        var (status, body) = await BackendHost.SendAsync(withToken, HttpMethod.Get, "/api/v1/user");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("expired"));
        Assert.That((await BackendHost.SendAsync(_alice, HttpMethod.Post, "/api/v1/user/personal-access-tokens", new { description = "past", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) })).Status, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task BearerScheme_IsAcceptedToo()
    {
        using var bearer = _host.CreateClient(null);
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _host.AdminToken);

        Assert.That((await BackendHost.SendAsync(bearer, HttpMethod.Get, "/api/v1/user")).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Projects_NeverShowWarehouseCredentials()
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(_host.Warehouse.ConnectionString);

        var (_, list) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, "/api/v1/projects");
        var (_, one) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"/api/v1/projects/{_host.ProjectUuid}");

        foreach (var text in new[] { list.GetRawText(), one.GetRawText() })
        {
            Assert.That(text, Does.Not.Contain(connection.Database!).And.Not.Contain("Username").And.Not.Contain("Host="));
        }

        Assert.That(list.GetProperty("results").GetArrayLength(), Is.GreaterThanOrEqualTo(3), "an organisation admin sees every project");
        var (_, aliceProjects) = await BackendHost.SendAsync(_alice, HttpMethod.Get, "/api/v1/projects");
        Assert.That(aliceProjects.GetProperty("results").EnumerateArray().Select(p => p.GetProperty("projectUuid").GetGuid()), Is.EqualTo(new[] { _host.ProjectUuid }));
    }

    [Test]
    public async Task HangfireDashboard_OnlyForOrganisationAdmins()
    {
        using var anonymous = _host.CreateClient(null);
        using var asAdmin = await _host.CreateClient(_host.AdminToken).GetAsync("/hangfire");
        using var asDeveloper = await _alice.GetAsync("/hangfire");
        using var asNobody = await anonymous.GetAsync("/hangfire");

        Assert.That(asAdmin.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(asDeveloper.StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
        Assert.That(asNobody.StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task SwaggerDocument_OffersTheAuthorizeButton()
    {
        using var anonymous = _host.CreateClient(null);
        var document = JsonDocument.Parse(await anonymous.GetStringAsync("/swagger/v1/swagger.json")).RootElement;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.That(scheme.GetProperty("type").GetString(), Is.EqualTo("apiKey"));
        Assert.That(scheme.GetProperty("name").GetString(), Is.EqualTo("Authorization"));
        Assert.That(document.GetProperty("security").GetArrayLength(), Is.EqualTo(1));
    }
}

/// <summary>Per-user limits: requests per minute, and queries executing at once.</summary>
[Category(TestCategories.Integration)]
public class UserLimitTests
{
    [Test]
    public async Task RequestRate_BeyondTheLimit_Returns429WithRetryAfter()
    {
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["Auth:RequestsPerMinute"] = "5" });

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add(await host.Client.GetAsync("/api/v1/user"));
        }

        Assert.That(statuses.Take(5).Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(statuses[5].StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(statuses[5].Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        var body = await statuses[5].Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("error").GetProperty("statusCode").GetInt32(), Is.EqualTo(429));
        using var health = await host.Client.GetAsync("/health/live");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "health checks are never limited");
        statuses.ForEach(r => r.Dispose());
    }

    [Test]
    public async Task ExecutingQueries_BeyondTheUsersLimit_WaitQueued()
    {
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["Auth:MaxExecutingQueriesPerUser"] = "1" });
        var tag = Guid.NewGuid().ToString("N");

        var first = await host.SubmitAsync($"select pg_sleep(1.5) as slept -- first {tag}");
        var second = await host.SubmitAsync($"select pg_sleep(0.1) as slept -- second {tag}");
        await Task.WhenAll(host.WaitForFinalStateAsync(first), host.WaitForFinalStateAsync(second));

        // Workers may take the two in either order; whichever ran second started after the other finished.
        var (firstStarted, firstFinished) = (await host.HistoryValueAsync<DateTime>(first, "processing_started_at"), await host.HistoryValueAsync<DateTime>(first, "finished_at"));
        var (secondStarted, secondFinished) = (await host.HistoryValueAsync<DateTime>(second, "processing_started_at"), await host.HistoryValueAsync<DateTime>(second, "finished_at"));
        Assert.That(secondStarted >= firstFinished || firstStarted >= secondFinished, Is.True,
            $"one query waited for the other: first {firstStarted:O}-{firstFinished:O}, second {secondStarted:O}-{secondFinished:O}");
        Assert.That((await host.WaitForFinalStateAsync(second)).GetProperty("status").GetString(), Is.EqualTo("ready"));
    }
}
