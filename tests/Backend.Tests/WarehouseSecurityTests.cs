using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// A developer's SQL stays inside the warehouse: the SQL that escaped before (files, programs, other
/// databases, DuckDB's file access) now ends in <c>error</c>, on the real PostgreSQL and DuckDB.
/// </summary>
[Category(TestCategories.Integration)]
public class WarehouseSecurityTests
{
    private static readonly Guid SuperuserProject = Guid.NewGuid();
    private static readonly Guid UnreachableProject = Guid.NewGuid();
    private BackendHost _host = null!;
    private HttpClient _developer = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            // A project whose login is the superuser, and one whose server does not answer.
            ["Projects:Items:3:ProjectUuid"] = SuperuserProject.ToString(),
            ["Projects:Items:3:Name"] = "Superuser project",
            ["Projects:Items:3:WarehouseType"] = "Postgres",
            ["Projects:Items:3:ConnectionString"] = TestServers.ConnectionStringFor("postgres"),
            ["Projects:Items:4:ProjectUuid"] = UnreachableProject.ToString(),
            ["Projects:Items:4:Name"] = "Unreachable project",
            ["Projects:Items:4:WarehouseType"] = "Postgres",
            ["Projects:Items:4:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=nowhere;Timeout=3",
        });
        _developer = await _host.CreateMemberClientAsync("dev@example.com", "developer");
        var developerUuid = (await _developer.GetFromJsonAsync<JsonElement>("/api/v1/user")).GetProperty("results").GetProperty("userUuid").GetGuid();
        using (var member = await _host.Client.PutAsJsonAsync($"/api/v1/projects/{_host.DuckDbProjectUuid}/access/{developerUuid}", new { role = "developer" }))
        {
            Assert.That(member.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await _host.Warehouse.ExecuteAsync("create table orders (id integer); insert into orders values (1), (2); create extension if not exists dblink");
        await TestDuckDb.ExecuteAsync(_host.DuckDbFile, "create table items as select range as id from range(3)");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _developer.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<JsonElement> RunAsync(HttpClient client, string sql, Guid? projectUuid = null, int? statementTimeoutSeconds = null)
    {
        using var response = await client.PostAsJsonAsync($"{_host.QueryPath(projectUuid)}/sql", new { sql, waitMs = 30000, statementTimeoutSeconds });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("firstPage");
    }

    private static void AssertError(JsonElement page, string expected)
    {
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("error"), page.ToString());
        Assert.That(page.GetProperty("error").GetString(), Does.Contain(expected).IgnoreCase);
    }

    [TestCase("COPY (select 1) TO PROGRAM 'id > /tmp/lightdash-escape'", "syntax error")]
    [TestCase("select pg_read_file('/etc/passwd')", "permission denied")]
    [TestCase("select pg_ls_dir('/')", "permission denied")]
    [TestCase("select lo_import('/etc/passwd')", "permission denied")]
    [TestCase("select * from dblink('host=127.0.0.1 dbname=postgres user=postgres', 'select 1') as t(x int)", "password")]
    [TestCase("select 1; update pg_authid set rolsuper = true", "syntax error")]
    [TestCase("select set_config('default_transaction_read_only', 'off', false)", "ready")]
    public async Task Postgres_SqlThatLeavesTheWarehouse_EndsInError(string sql, string expected)
    {
        var page = await RunAsync(_developer, sql);

        if (expected == "ready")
        {
            // Allowed, and harmless: the next statement runs read-only again.
            Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("ready"), page.ToString());
            var next = await RunAsync(_developer, "select current_setting('transaction_read_only') as ro");
            Assert.That(RowValues.Raw(next.GetProperty("rows")[0], "ro").GetString(), Is.EqualTo("on"));
            return;
        }

        AssertError(page, expected);
        Assert.That(File.Exists("/tmp/lightdash-escape"), Is.False);
    }

    [Test]
    public async Task Postgres_TheWarehouseTablesStayReadable_ButNotWritable()
    {
        var read = await RunAsync(_developer, "select count(*) as n from orders");
        var write = await RunAsync(_developer, "with gone as (delete from orders returning *) select count(*) from gone");

        Assert.That(RowValues.Raw(read.GetProperty("rows")[0], "n").GetInt64(), Is.EqualTo(2));
        Assert.That(write.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(await _host.Warehouse.ScalarAsync<long>("select count(*) from orders"), Is.EqualTo(2));
    }

    [TestCase("select * from read_text('/etc/passwd')")]
    [TestCase("select * from read_csv('/etc/passwd')")]
    [TestCase("select * from glob('/root/*')")]
    [TestCase("COPY (select 1) TO '/tmp/lightdash-escape'")]
    [TestCase("ATTACH '/tmp/lightdash-escape.duckdb' AS other")]
    [TestCase("INSTALL httpfs")]
    [TestCase("SET enable_external_access = true")]
    [TestCase("select * from items; SET lock_configuration = false")]
    public async Task DuckDb_SqlThatReachesFilesOrSettings_EndsInError(string sql)
    {
        var page = await RunAsync(_developer, sql, _host.DuckDbProjectUuid);

        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("error"), page.ToString());
        Assert.That(File.Exists("/tmp/lightdash-escape") || File.Exists("/tmp/lightdash-escape.duckdb"), Is.False);
    }

    [Test]
    public async Task DuckDb_AfterEveryRefusal_TheProjectsTablesStayReadableAndSettingsLocked()
    {
        await RunAsync(_developer, "SET enable_external_access = true", _host.DuckDbProjectUuid);

        var items = await RunAsync(_developer, "select count(*) as n from items", _host.DuckDbProjectUuid);
        var settings = await RunAsync(
            _developer, "select current_setting('enable_external_access') as external, current_setting('lock_configuration') as locked", _host.DuckDbProjectUuid);

        Assert.That(RowValues.Raw(items.GetProperty("rows")[0], "n").GetInt64(), Is.EqualTo(3));
        Assert.That(RowValues.Raw(settings.GetProperty("rows")[0], "external").GetBoolean(), Is.False);
        Assert.That(RowValues.Raw(settings.GetProperty("rows")[0], "locked").GetBoolean(), Is.True);
    }

    [Test]
    public async Task SuperuserLogin_IsRefusedAtRunTime_NamingWhy()
    {
        var page = await RunAsync(_host.Client, "select 1 as one", SuperuserProject);

        AssertError(page, "is a superuser");
    }

    [Test]
    public async Task UnreachableWarehouse_TellsTheUserOnlyThatTheConnectionFailed()
    {
        var page = await RunAsync(_host.Client, "select 1 as one", UnreachableProject);

        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(page.GetProperty("error").GetString(), Is.EqualTo("Could not connect to the warehouse."));
    }

    [Test]
    public async Task CreatingProjects_WithAPrivilegedLoginOrTheMetadataDatabase_Returns400()
    {
        var (superuser, superuserBody) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects", new { name = "Root", warehouseType = "postgres", connectionString = TestServers.ConnectionStringFor("postgres") });
        var (metadata, metadataBody) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects", new { name = "Meta", warehouseType = "postgres", connectionString = TestServers.ReaderConnectionStringFor(_host.Metadata.Name) });
        var (unreachable, unreachableBody) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects", new { name = "Far", warehouseType = "postgres", connectionString = "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=3" });
        var (garbled, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects", new { name = "Odd", warehouseType = "postgres", connectionString = "this is = not; a connection string" });

        Assert.That(superuser, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Message(superuserBody), Does.Contain("superuser"));
        Assert.That(metadata, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Message(metadataBody), Does.Contain("metadata database"));
        Assert.That(unreachable, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Message(unreachableBody), Does.Contain("does not work"), "organisation admins are told what failed");
        Assert.That(garbled, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task ConnectionStrings_AreOrganisationAdminsOnly()
    {
        var projectAdmin = await _host.CreateMemberClientAsync($"padmin-{Guid.NewGuid():N}@example.com", "admin");
        var (byProjectAdmin, body) = await BackendHost.SendAsync(projectAdmin, HttpMethod.Patch, $"/api/v1/projects/{_host.ProjectUuid}", new { connectionString = TestServers.ReaderConnectionStringFor(_host.Metadata.Name) });
        var (renamed, _) = await BackendHost.SendAsync(projectAdmin, HttpMethod.Patch, $"/api/v1/projects/{_host.ProjectUuid}", new { name = "Test project" });
        var (byOrgAdmin, orgBody) = await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/projects/{_host.ProjectUuid}", new { connectionString = TestServers.ConnectionStringFor("postgres") });

        Assert.That(byProjectAdmin, Is.EqualTo(HttpStatusCode.Forbidden), body.ToString());
        Assert.That(renamed, Is.EqualTo(HttpStatusCode.OK), "project admins still rename");
        Assert.That(byOrgAdmin, Is.EqualTo(HttpStatusCode.BadRequest), orgBody.ToString());
        var stillReads = await RunAsync(_developer, "select count(*) as n from orders");
        Assert.That(stillReads.GetProperty("status").GetString(), Is.EqualTo("ready"), "a refused connection string is not stored");
    }

    [Test]
    public async Task StatementTimeout_OfARequest_StopsThePostgresStatement()
    {
        var page = await RunAsync(_developer, "select pg_sleep(20) as slept", statementTimeoutSeconds: 1);

        AssertError(page, "time limit of 1 second");
        Assert.That(
            await _host.Warehouse.ScalarAsync<long>("select count(*) from pg_stat_activity where query like '%pg_sleep(20)%' and state = 'active' and pid <> pg_backend_pid()"),
            Is.Zero);
    }

    [Test]
    public async Task StatementTimeout_OfAProject_StopsTheDuckDbStatement()
    {
        var (patched, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/projects/{_host.DuckDbProjectUuid}", new { statementTimeoutSeconds = 1 });
        Assert.That(patched, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        try
        {
            var page = await RunAsync(_developer, "select sum(hash(range)) as s from range(30000000000)", _host.DuckDbProjectUuid);

            AssertError(page, "time limit of 1 second");
        }
        finally
        {
            await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, $"/api/v1/projects/{_host.DuckDbProjectUuid}", new { statementTimeoutSeconds = 1800 });
        }
    }

    [TestCase(0)]
    [TestCase(-5)]
    public async Task StatementTimeout_BelowOneSecond_Returns400(int seconds)
    {
        using var response = await _developer.PostAsJsonAsync($"{_host.QueryPath()}/sql", new { sql = "select 1", statementTimeoutSeconds = seconds });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Message(await response.Content.ReadFromJsonAsync<JsonElement>()), Does.Contain("statementTimeoutSeconds"));
    }

    [TestCase("select 1 as a) x; set statement_timeout = 0; select pg_sleep(4)::text as a from (select 1 as a")]
    [TestCase("select 1 as a) x; set geqo = off; select 1 as a from (select 1 as a")]
    [TestCase("select 1 as a) x; select pg_sleep(4)::text as a from (select 1 as a")]
    public async Task Postgres_SqlThatClosesItsWrapper_CannotStackAStatement(string sql)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var page = await RunAsync(_developer, sql, statementTimeoutSeconds: 1);

        AssertError(page, "cannot insert multiple commands");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)), "nothing after the first statement ran");
    }

    [Test]
    public async Task Postgres_StatementsApi_SqlThatClosesItsWrapper_CannotLiftItsTimeLimit()
    {
        using var response = await _developer.PostAsJsonAsync("/api/v2/statements", new
        {
            statement = "select 1 as a) x; set statement_timeout = 0; select pg_sleep(4)::text as a from (select 1 as a",
            timeout = 1,
            database = _host.ProjectUuid.ToString(),
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That((int)response.StatusCode, Is.EqualTo(422), body.ToString());
        Assert.That(body.GetProperty("message").GetString(), Does.Contain("cannot insert multiple commands"));
    }

    [TestCase("select 1 as a) x; select 2 as a from (select 1 as a")]
    [TestCase("select * from items) x; SET lock_configuration = false; select 1 as id from (select 1")]
    public async Task DuckDb_SqlThatClosesItsWrapper_CannotStackAStatement(string sql)
    {
        var page = await RunAsync(_developer, sql, _host.DuckDbProjectUuid);

        AssertError(page, "more than one statement");
    }

    [Test]
    public async Task CreatingADuckDbProject_WithAPostgresConnectionString_Returns400()
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects",
            new { name = "Odd DuckDB", warehouseType = "duckdb", connectionString = "Host=127.0.0.1;Port=5432;Username=x;Password=y;Database=z" });

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(Message(body), Does.Contain("does not work"));
    }

    private static string Message(JsonElement body) => body.GetProperty("error").GetProperty("message").GetString()!;

}

/// <summary>An operator may allow privileged warehouse logins explicitly (a host of its own: one host per fixture at a time).</summary>
[Category(TestCategories.Integration)]
public class PrivilegedLoginOptInTests
{
    [Test]
    public async Task SuperuserLogin_RunsWhenAnOperatorAllowsIt()
    {
        var projectUuid = Guid.NewGuid();
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["WarehouseSecurity:AllowPrivilegedLogins"] = "true",
            ["Projects:Items:3:ProjectUuid"] = projectUuid.ToString(),
            ["Projects:Items:3:Name"] = "Trusted superuser project",
            ["Projects:Items:3:ConnectionString"] = TestServers.ConnectionStringFor("postgres"),
        });

        using var response = await host.Client.PostAsJsonAsync($"{host.QueryPath(projectUuid)}/sql", new { sql = "select 1 as one", waitMs = 30000 });
        var page = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("firstPage");

        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("ready"), page.ToString());
    }
}
