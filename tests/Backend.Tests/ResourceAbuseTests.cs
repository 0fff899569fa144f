using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// What once took the whole backend down, tried on a backend process of its own: a model file nested
/// 100,000 deep, a YAML alias bomb, and DuckDB SQL that wants all the memory or runs for ever. Each is
/// refused or bounded, the process stays up, and its memory comes back.
/// </summary>
[Category(TestCategories.Integration)]
public class ResourceAbuseTests
{
    private const long Megabyte = 1 << 20;

    private TestDatabase _metadata = null!;
    private TestDatabase _warehouse = null!;
    private string _duckDbFile = null!;
    private ChildProcess _backend = null!;
    private HttpClient _http = null!;
    private Guid _project;
    private Guid _duckDbProject;

    [OneTimeSetUp]
    public async Task Start()
    {
        await TestServers.EnsurePostgresAsync();
        _metadata = await TestDatabase.CreateAsync("meta");
        _warehouse = await TestDatabase.CreateAsync("wh");
        _duckDbFile = Path.Combine(Path.GetTempPath(), $"lightdash-test-{Guid.NewGuid():N}.duckdb");
        await TestDuckDb.ExecuteAsync(_duckDbFile, "create table numbers as select range as n from range(1000)");
        _project = Guid.NewGuid();
        _duckDbProject = Guid.NewGuid();
        var settings = BackendHost.BaseSettings(
            _metadata.ServiceConnectionString, _warehouse.ReaderConnectionString, TestPrefixes.New(), _project, Guid.NewGuid(), _duckDbProject, _duckDbFile);
        settings["WarehouseSecurity:DuckDbMemoryLimit"] = "512MB";
        settings["WarehouseSecurity:DuckDbThreads"] = "2";
        settings["QueryExecution:HeartbeatInterval"] = "00:00:00.500";
        (_backend, var address) = await ChildProcess.StartBackendAsync(settings.ToDictionary(p => p.Key, p => p.Value!));
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", settings["Auth:BootstrapAdmin:Token"]);
        // DuckDB and the deploy path loaded once, so that the memory compared against is the warm process's.
        Assert.That(await RunAsync("select count(*) as n from numbers", _duckDbProject), Is.EqualTo("ready"));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _backend.DisposeAsync();
        await _warehouse.DisposeAsync();
        await _metadata.DisposeAsync();
        File.Delete(_duckDbFile);
    }

    private async Task<string> RunAsync(string sql, Guid project)
    {
        var body = await SubmitAsync(sql, project, waitMs: 30_000);
        return body.GetProperty("results").GetProperty("firstPage").GetProperty("status").GetString()!;
    }

    private async Task<JsonElement> SubmitAsync(string sql, Guid project, int? waitMs = null)
    {
        using var response = await _http.PostAsJsonAsync($"/api/v2/projects/{project}/query/sql", new { sql, waitMs });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body;
    }

    private async Task<JsonElement> QueryAsync(Guid project, Guid queryUuid) =>
        (await _http.GetFromJsonAsync<JsonElement>($"/api/v2/projects/{project}/query/{queryUuid}")).GetProperty("results");

    private async Task AssertAliveAsync()
    {
        Assert.That(_backend.IsRunning, Is.True, _backend.Output.ToString());
        using var live = await _http.GetAsync("/health/live");
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task<(HttpStatusCode Status, string Message)> DeployAsync(string content)
    {
        using var response = await _http.PutAsJsonAsync($"/api/v1/projects/{_project}/models", new { files = new[] { new { path = "models/x.yml", content } } });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.GetProperty("error").GetProperty("message").GetString()!);
    }

    [Test]
    public async Task ModelFileNested100000Deep_Returns400NamingTheDepth_AndTheBackendStaysUp()
    {
        var (status, message) = await DeployAsync("x: " + new string('[', 100_000) + new string(']', 100_000) + "\n");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(message, Does.Contain("nest more than 64 deep"));
        await AssertAliveAsync();
    }

    [Test]
    public async Task YamlAliasBomb_Returns400NamingTheLimit_WithoutExpandingIt()
    {
        var before = _backend.ResidentBytes();
        var bomb = new StringBuilder("a0: &a0 [x]\n");
        for (var level = 1; level <= 10; level++)
        {
            bomb.Append(FormattableString.Invariant($"a{level}: &a{level} [")).Append(string.Join(", ", Enumerable.Repeat(FormattableString.Invariant($"*a{level - 1}"), 9))).Append("]\n");
        }

        bomb.Append("models:\n  - name: orders\n    columns:\n      - name: id\n        meta:\n          dimension:\n            colors: *a10\n");

        var (status, message) = await DeployAsync(bomb.ToString());

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(message, Does.Contain("nodes with its aliases expanded"));
        await AssertAliveAsync();
        Assert.That(_backend.ResidentBytes() - before, Is.LessThan(200 * Megabyte), "nothing was expanded");
    }

    [Test]
    public async Task DuckDbQueryPastItsMemoryLimit_FailsNamingTheLimit_AndTheMemoryComesBack()
    {
        var before = _backend.ResidentBytes();

        var body = await SubmitAsync("select list(i) as l from range(100000000) t(i)", _duckDbProject, waitMs: 30_000);

        var page = body.GetProperty("results").GetProperty("firstPage");
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("error"), page.ToString());
        Assert.That(page.GetProperty("error").GetString(), Does.Contain("512MB").And.Contain("WarehouseSecurity:DuckDbMemoryLimit"));
        await AssertAliveAsync();
        var peak = _backend.ResidentBytes();
        TestContext.Out.WriteLine($"resident before {before / Megabyte} MB, after the error {peak / Megabyte} MB");
        await Eventually.UntilAsync(
            () => Task.FromResult(_backend.ResidentBytes() - before < 64 * Megabyte), TimeSpan.FromSeconds(20), $"DuckDB's memory handed back to the system (before {before / Megabyte} MB)");
        TestContext.Out.WriteLine($"resident once handed back {_backend.ResidentBytes() / Megabyte} MB");
        Assert.That(await RunAsync("select count(*) as n from numbers", _duckDbProject), Is.EqualTo("ready"), "DuckDB still answers");
    }

    [Test]
    public async Task DuckDbQueryCancelled_StopsWorkingAtOnce()
    {
        // Some 10^11 pairs: minutes of work on both threads unless the cancel interrupts it.
        var submitted = await SubmitAsync(
            "select count(*) as c from range(1000000) a, range(100000) b where (a.range * 31 + b.range) % 97 = 3", _duckDbProject);
        var queryUuid = submitted.GetProperty("results").GetProperty("queryUuid").GetGuid();
        await Eventually.UntilAsync(
            async () => (await QueryAsync(_duckDbProject, queryUuid)).GetProperty("status").GetString() == "executing", TimeSpan.FromSeconds(30), "the query running");
        var busy = await CpuUsedOverAsync(TimeSpan.FromSeconds(1));
        Assert.That(busy, Is.GreaterThan(TimeSpan.FromMilliseconds(500)), "the query works while it runs");

        using (var cancel = await _http.PostAsync($"/api/v2/projects/{_duckDbProject}/query/{queryUuid}/cancel", null))
        {
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await Eventually.UntilAsync(
            async () => (await CpuUsedOverAsync(TimeSpan.FromSeconds(1))) < TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10), "the statement stopping");
        Assert.That((await QueryAsync(_duckDbProject, queryUuid)).GetProperty("status").GetString(), Is.EqualTo("cancelled"));
        await AssertAliveAsync();
    }

    [TestCase("GET /api/v2/projects/a%00b/query/history HTTP/1.1\r\nHost: x\r\n\r\n", 400, "NUL")]
    [TestCase("POST /api/v2/statements HTTP/1.1\r\nHost: x\r\nX-Lightdash-Session: \u00ff\r\nContent-Length: 0\r\n\r\n", 400, "not ASCII")]
    public async Task ARequestKestrelCannotParse_IsAnsweredWithTheEnvelope(string request, int status, string expected)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_http.BaseAddress!.Host, _http.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();

        Assert.That(response, Does.StartWith(FormattableString.Invariant($"HTTP/1.1 {status} ")));
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        using var envelope = JsonDocument.Parse(body);
        Assert.That(envelope.RootElement.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(envelope.RootElement.GetProperty("error").GetProperty("statusCode").GetInt32(), Is.EqualTo(status));
        Assert.That(envelope.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
        Assert.That(response, Does.Contain(FormattableString.Invariant($"Content-Length: {Encoding.UTF8.GetByteCount(body)}")));
    }

    [Test]
    public async Task ARequestLineBeyondKestrelsLimit_IsAnsweredWithTheEnvelope()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_http.BaseAddress!.Host, _http.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /{new string('a', 70_000)} HTTP/1.1\r\nHost: x\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();

        Assert.That(response, Does.StartWith("HTTP/1.1 414 "));
        Assert.That(response, Does.Contain("\"statusCode\":414").And.Contain("request line is too long"));
    }

    [Test]
    public async Task OrdinaryAnswers_PassTheEnvelopeWriterUnchanged()
    {
        using var page = await _http.GetAsync($"/api/v2/projects/{_project}/query/history?pageSize=1");
        using var missing = await _http.GetAsync($"/api/v2/projects/{_project}/query/{Guid.NewGuid()}");
        using var swagger = await _http.GetAsync("/swagger/v1/swagger.json");

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("statusCode").GetInt32(), Is.EqualTo(404));
        var document = await swagger.Content.ReadAsStringAsync();
        Assert.That(document.Length, Is.GreaterThan(100_000));
        Assert.That(JsonDocument.Parse(document).RootElement.GetProperty("paths").EnumerateObject().Count(), Is.GreaterThan(50));
    }

    private async Task<TimeSpan> CpuUsedOverAsync(TimeSpan window)
    {
        var start = _backend.CpuTime();
        await Task.Delay(window);
        return _backend.CpuTime() - start;
    }
}
