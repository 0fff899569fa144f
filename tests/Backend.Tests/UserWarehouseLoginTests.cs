using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;
using Npgsql;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// A project that requires each user's own warehouse login: on the real PostgreSQL, one user can
/// neither read another's SQL in <c>pg_stat_activity</c> nor cancel it, and their results are never
/// shared through the cache.
/// </summary>
[Category(TestCategories.Integration)]
public class UserWarehouseLoginTests
{
    private const string AnalystA = "ldn_test_analyst_a";
    private const string AnalystB = "ldn_test_analyst_b";
    private const string Password = "ldn-test-analyst-password";
    private static readonly Guid Project = Guid.NewGuid();

    private BackendHost _host = null!;
    private HttpClient _a = null!;
    private HttpClient _b = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["Projects:Items:3:ProjectUuid"] = Project.ToString(),
            ["Projects:Items:3:Name"] = "Per-user logins",
            ["Projects:Items:3:WarehouseType"] = "Postgres",
            // The test warehouse is made by the host: the connection string is set once it exists.
            ["Projects:Items:3:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none",
            ["Projects:Items:3:RequireUserCredentials"] = "true",
        });
        var (patched, patchBody) = await BackendHost.SendAsync(
            _host.Client, HttpMethod.Patch, $"/api/v1/projects/{Project}", new { connectionString = _host.Warehouse.ReaderConnectionString });
        Assert.That(patched, Is.EqualTo(HttpStatusCode.OK), patchBody.ToString());
        await TestServers.EnsureReaderLoginsAsync(Password, AnalystA, AnalystB);

        _a = await MemberAsync("a");
        _b = await MemberAsync("b");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _a.Dispose();
        _b.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<HttpClient> MemberAsync(string name)
    {
        var client = await _host.CreateMemberClientAsync($"analyst-{name}-{Guid.NewGuid():N}@example.com", null);
        var userUuid = (await client.GetFromJsonAsync<JsonElement>("/api/v1/user")).GetProperty("results").GetProperty("userUuid").GetGuid();
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Put, $"/api/v1/projects/{Project}/access/{userUuid}", new { role = "developer" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return client;
    }

    private static string CredentialsPath => $"/api/v1/projects/{Project}/user-credentials";

    private static Task<(HttpStatusCode Status, JsonElement Body)> SaveAsync(HttpClient client, string user, string password) =>
        BackendHost.SendAsync(client, HttpMethod.Put, CredentialsPath, new { user, password });

    private async Task<JsonElement> RunAsync(HttpClient client, string sql)
    {
        var (status, body) = await BackendHost.SendAsync(client, HttpMethod.Post, $"{_host.QueryPath(Project)}/sql", new { sql, waitMs = 30_000 });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("firstPage");
    }

    private async Task EnsureSavedAsync()
    {
        Assert.That((await SaveAsync(_a, AnalystA, Password)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await SaveAsync(_b, AnalystB, Password)).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task WithoutASavedLogin_AQueryIs409NamingWhereToSaveOne()
    {
        using var newcomer = await MemberAsync("newcomer");

        var (status, body) = await BackendHost.SendAsync(newcomer, HttpMethod.Post, $"{_host.QueryPath(Project)}/sql", new { sql = "select 1 as one" });

        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(CredentialsPath));
    }

    [Test]
    public async Task ALogin_IsTriedBeforeItIsSaved_AndItsPasswordNeverReturned()
    {
        using var member = await MemberAsync("tries");

        var (wrong, wrongBody) = await SaveAsync(member, AnalystA, "not-the-password");
        var (superuser, superuserBody) = await SaveAsync(member, "postgres", Environment.GetEnvironmentVariable("LIGHTDASH_TEST_PG") is { } admin ? new NpgsqlConnectionStringBuilder(admin).Password! : "x");
        var (saved, _) = await SaveAsync(member, AnalystA, Password);
        var (read, readBody) = await BackendHost.SendAsync(member, HttpMethod.Get, CredentialsPath);

        Assert.That(wrong, Is.EqualTo(HttpStatusCode.BadRequest), wrongBody.ToString());
        Assert.That(superuser, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(superuserBody.GetProperty("error").GetProperty("message").GetString(), Does.Contain("superuser"));
        Assert.That(saved, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(read, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(readBody.GetProperty("results").GetProperty("user").GetString(), Is.EqualTo(AnalystA));
        Assert.That(readBody.GetProperty("results").GetProperty("required").GetBoolean(), Is.True);
        Assert.That(readBody.ToString(), Does.Not.Contain(Password));
        Assert.That((await BackendHost.SendAsync(member, HttpMethod.Delete, CredentialsPath)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await BackendHost.SendAsync(member, HttpMethod.Get, CredentialsPath)).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task OneUser_CannotSeeOrCancelAnothersStatement()
    {
        await EnsureSavedAsync();
        var (_, submitted) = await BackendHost.SendAsync(_a, HttpMethod.Post, $"{_host.QueryPath(Project)}/sql", new { sql = "select pg_sleep(30)::text as slow_a_marker" });
        var queryUuid = submitted.GetProperty("results").GetProperty("queryUuid").GetGuid();
        try
        {
            await Eventually.UntilAsync(
                async () => await _host.Warehouse.ScalarAsync<long>(
                    $"select count(*) from pg_stat_activity where usename = '{AnalystA}' and query like '%slow_a' || '_marker%' and state = 'active'") > 0,
                TimeSpan.FromSeconds(30),
                "A's statement running as A's login");

            var seen = await RunAsync(_b, $"""
                select count(*) filter (where query like '%slow_a' || '_marker%') as seen,
                       count(*) filter (where usename = '{AnalystA}') as sessions
                from pg_stat_activity
                """);
            var cancel = await RunAsync(_b, $"select pg_cancel_backend(pid) as cancelled from pg_stat_activity where usename = '{AnalystA}'");

            Assert.That(RowValues.Raw(seen.GetProperty("rows")[0], "sessions").GetInt64(), Is.GreaterThan(0), "B sees that A has a session");
            Assert.That(RowValues.Raw(seen.GetProperty("rows")[0], "seen").GetInt64(), Is.Zero, "but not A's SQL");
            Assert.That(cancel.GetProperty("status").GetString(), Is.EqualTo("error"), cancel.ToString());
            Assert.That(cancel.GetProperty("error").GetString(), Does.Contain("member of the role").Or.Contain("permission denied"));
            var (_, still) = await BackendHost.SendAsync(_a, HttpMethod.Get, $"{_host.QueryPath(Project)}/{queryUuid}");
            Assert.That(still.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("executing"), "A's statement was not cancelled");
        }
        finally
        {
            await BackendHost.SendAsync(_a, HttpMethod.Post, $"{_host.QueryPath(Project)}/{queryUuid}/cancel");
        }
    }

    [Test]
    public async Task TheSameSql_OfTwoUsers_RunsWithEachOnesLogin_AndIsNotSharedThroughTheCache()
    {
        await EnsureSavedAsync();

        var ofA = await RunAsync(_a, "select current_user::text as who");
        var ofB = await RunAsync(_b, "select current_user::text as who");

        Assert.That(RowValues.Raw(ofA.GetProperty("rows")[0], "who").GetString(), Is.EqualTo(AnalystA));
        Assert.That(RowValues.Raw(ofB.GetProperty("rows")[0], "who").GetString(), Is.EqualTo(AnalystB));
    }

    [Test]
    public async Task RequiringUserLogins_IsForOrganisationAdmins_AndPostgresOnly()
    {
        var (project, projectBody) = await BackendHost.SendAsync(_a, HttpMethod.Get, $"/api/v1/projects/{Project}");
        var (byMember, _) = await BackendHost.SendAsync(_a, HttpMethod.Patch, $"/api/v1/projects/{Project}", new { requireUserCredentials = false });
        var (duckDb, duckDbBody) = await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/projects/{_host.DuckDbProjectUuid}", new { requireUserCredentials = true });

        Assert.That(project, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(projectBody.GetProperty("results").GetProperty("requireUserCredentials").GetBoolean(), Is.True);
        Assert.That(byMember, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(duckDb, Is.EqualTo(HttpStatusCode.BadRequest), duckDbBody.ToString());
    }
}
