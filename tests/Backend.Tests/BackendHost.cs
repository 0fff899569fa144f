using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The whole backend in process (Hangfire workers included) against the real PostgreSQL and S3
/// server, with its own metadata database, warehouse database and key prefix.
/// </summary>
public sealed class BackendHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;
    private readonly List<string> _ownedFolders = [];

    private BackendHost(Guid projectUuid, Guid otherProjectUuid, Guid duckDbProjectUuid, string duckDbFile, TestDatabase metadata, TestDatabase warehouse, string prefix, WebApplicationFactory<Program> factory, string adminToken)
    {
        AdminToken = adminToken;
        ProjectUuid = projectUuid;
        OtherProjectUuid = otherProjectUuid;
        DuckDbProjectUuid = duckDbProjectUuid;
        DuckDbFile = duckDbFile;
        Metadata = metadata;
        Warehouse = warehouse;
        Prefix = prefix;
        _factory = factory;
        Client = CreateClient(adminToken);
        S3 = TestS3.CreateClient();
    }

    /// <summary>The project every test queries.</summary>
    public Guid ProjectUuid { get; }

    /// <summary>A second project on the same warehouse, to check that queries do not leak across projects.</summary>
    public Guid OtherProjectUuid { get; }

    /// <summary>A project on an embedded DuckDB database file of its own.</summary>
    public Guid DuckDbProjectUuid { get; }

    /// <summary>That DuckDB project's database file.</summary>
    public string DuckDbFile { get; }

    public TestDatabase Metadata { get; }

    public TestDatabase Warehouse { get; }

    public string Prefix { get; }

    /// <summary>A client authenticated as the organisation admin the host was started with.</summary>
    public HttpClient Client { get; }

    /// <summary>The organisation admin's token.</summary>
    public string AdminToken { get; }

    /// <summary>For a demo-shop host: the folder of the test project's model files.</summary>
    public string? ModelsFolder { get; private set; }

    /// <summary>A client of this host sending <paramref name="token"/> (none when null).</summary>
    public HttpClient CreateClient(string? token)
    {
        var client = _factory.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", token);
        }

        return client;
    }

    /// <summary>A client of this host whose requests pass through <paramref name="handlers"/> (no token: the caller's client sends its own).</summary>
    public HttpClient CreateClientThrough(params DelegatingHandler[] handlers) => _factory.CreateDefaultClient(handlers);

    /// <summary>An anonymous client of this host that does not follow redirects.</summary>
    public HttpClient CreateClientWithoutRedirects() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public AmazonS3Client S3 { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>The key secrets are encrypted with in tests (32 bytes, base64).</summary>
    public const string TestSecretsKey = "bGlnaHRkYXNoLW5ldC10ZXN0LXNlY3JldHMta2V5MzI=";

    /// <summary>The settings every host gets (before the test's own), for a backend with these databases and ids.</summary>
    public static Dictionary<string, string?> BaseSettings(
        string metadataConnection, string warehouseConnection, string prefix, Guid projectUuid, Guid otherProjectUuid, Guid duckDbProjectUuid, string duckDbFile) => new()
    {
        ["MetadataDatabase:ConnectionString"] = metadataConnection,
        // Test-only key for secrets at rest (each test's metadata database is its own).
        ["Secrets:Key"] = TestSecretsKey,
        ["ResultsStorage:ServiceUrl"] = TestServers.S3ServiceUrl,
        ["ResultsStorage:Bucket"] = TestServers.S3Bucket,
        ["ResultsStorage:Prefix"] = prefix,
        ["ResultsStorage:AccessKey"] = TestServers.S3AccessKey,
        ["ResultsStorage:SecretKey"] = TestServers.S3SecretKey,
        ["QueryExecution:WorkerCount"] = "4",
        ["Projects:Items:0:ProjectUuid"] = projectUuid.ToString(),
        ["Projects:Items:0:Name"] = "Test project",
        ["Projects:Items:0:WarehouseType"] = "Postgres",
        ["Projects:Items:0:ConnectionString"] = warehouseConnection,
        ["Projects:Items:1:ProjectUuid"] = otherProjectUuid.ToString(),
        ["Projects:Items:1:Name"] = "Other project",
        ["Projects:Items:1:WarehouseType"] = "Postgres",
        ["Projects:Items:1:ConnectionString"] = warehouseConnection,
        ["Projects:Items:2:ProjectUuid"] = duckDbProjectUuid.ToString(),
        ["Projects:Items:2:Name"] = "DuckDB project",
        ["Projects:Items:2:WarehouseType"] = "DuckDb",
        ["Projects:Items:2:ConnectionString"] = $"Data Source={duckDbFile}",
        // Configuration merges lists by index: clear what appsettings.json's demo projects set.
        ["Projects:Items:0:ModelsPath"] = "",
        ["Projects:Items:1:ModelsPath"] = "",
        ["Projects:Items:2:ModelsPath"] = "",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Auth:BootstrapAdmin:Email"] = $"admin-{projectUuid:N}@example.com",
        ["Auth:BootstrapAdmin:Token"] = PersonalAccessTokens.Generate(),
        // Tests poll and submit hard; the rate limit and the quotas have tests of their own.
        ["Auth:RequestsPerMinute"] = "1000000",
        ["QueryExecution:MaxSubmissionsPerMinutePerProject"] = "100000",
        ["QueryExecution:MaxSubmissionsPerMinutePerUser"] = "100000",
        // Deliveries: the local SMTP server, webhooks to local receivers, quick retries.
        ["Deliveries:Smtp:Host"] = "127.0.0.1",
        ["Deliveries:Smtp:Port"] = TestServers.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Deliveries:AllowPrivateWebhookAddresses"] = "true",
        ["Deliveries:WebhookBackoff"] = "00:00:00.100",
    };

    public static async Task<BackendHost> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        await TestServers.EnsurePostgresAsync();
        var metadata = await TestDatabase.CreateAsync("meta");
        var warehouse = await TestDatabase.CreateAsync("wh");
        var prefix = TestPrefixes.New();
        var projectUuid = Guid.NewGuid();
        var otherProjectUuid = Guid.NewGuid();
        var duckDbProjectUuid = Guid.NewGuid();
        var duckDbFile = Path.Combine(Path.GetTempPath(), $"lightdash-test-{Guid.NewGuid():N}.duckdb");
        var values = BaseSettings(metadata.ServiceConnectionString, warehouse.ReaderConnectionString, prefix, projectUuid, otherProjectUuid, duckDbProjectUuid, duckDbFile);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            if (services is not null)
            {
                web.ConfigureTestServices(services);
            }

            web.ConfigureAppConfiguration(config =>
            {
                config.AddInMemoryCollection(values);
            });
        });
        return new BackendHost(projectUuid, otherProjectUuid, duckDbProjectUuid, duckDbFile, metadata, warehouse, prefix, factory, values["Auth:BootstrapAdmin:Token"]!);
    }

    public string QueryPath(Guid? projectUuid = null) => $"/api/v2/projects/{projectUuid ?? ProjectUuid}/query";

    /// <summary>Submits SQL and returns the new query's id.</summary>
    public async Task<Guid> SubmitAsync(string sql, long? limit = null, Guid? projectUuid = null) =>
        (await ExecuteAsync(new { sql, limit }, projectUuid)).GetProperty("queryUuid").GetGuid();

    /// <summary>POSTs a body to the execute route; returns its results (asserting 200).</summary>
    public async Task<JsonElement> ExecuteAsync(object body, Guid? projectUuid = null)
    {
        using var response = await Client.PostAsJsonAsync($"{QueryPath(projectUuid)}/sql", body);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        return answer.GetProperty("results").Clone();
    }

    /// <summary>A new user, with <paramref name="role"/> in the test project (none when null); returns a client sending their token.</summary>
    public async Task<HttpClient> CreateMemberClientAsync(string email, string? role)
    {
        using var created = await Client.PostAsJsonAsync("/api/v1/users", new { email });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var results = body.GetProperty("results");
        if (role is not null)
        {
            using var member = await Client.PutAsJsonAsync($"/api/v1/projects/{ProjectUuid}/access/{results.GetProperty("user").GetProperty("userUuid").GetGuid()}", new { role });
            Assert.That(member.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        return CreateClient(results.GetProperty("token").GetProperty("token").GetString());
    }

    /// <summary>
    /// A host whose test project reads the PostgreSQL demo's model files, over a small shop: two
    /// customers (GB, US) and three orders (placed 10, shipped 20, shipped 30).
    /// </summary>
    public static async Task<BackendHost> StartDemoShopAsync()
    {
        var models = CopyDemoModels();
        var host = await StartAsync(new Dictionary<string, string?> { ["Projects:Items:0:ModelsPath"] = models });
        host._ownedFolders.Add(models);
        host.ModelsFolder = models;
        await host.Warehouse.ExecuteAsync("""
            create table customers (customer_id integer, first_name text, last_name text, country text, created_at timestamp);
            insert into customers values (1, 'Ada', 'L', 'GB', '2024-01-01'), (2, 'Alan', 'T', 'US', '2024-01-02');
            create table orders (order_id integer, customer_id integer, order_date date, status text, amount numeric(10,2), is_gift boolean);
            insert into orders values (1, 1, '2024-01-05', 'placed', 10, false), (2, 1, '2024-02-05', 'shipped', 20, true), (3, 2, '2024-02-06', 'shipped', 30, false);
            """);
        return host;
    }

    /// <summary>A temporary folder holding a copy of the PostgreSQL demo project's model files.</summary>
    public static string CopyDemoModels()
    {
        var folder = Directory.CreateTempSubdirectory("lightdash-models-").FullName;
        File.Copy(Path.Combine(ChildProcess.RepositoryRoot(), "scripts", "demo", "models", "postgres", "shop.yml"), Path.Combine(folder, "shop.yml"));
        return folder;
    }

    /// <summary>The organisation admin's user id.</summary>
    public async Task<Guid> AdminUserUuidAsync()
    {
        var me = await Client.GetFromJsonAsync<JsonElement>("/api/v1/user");
        return me.GetProperty("results").GetProperty("userUuid").GetGuid();
    }

    /// <summary>Sends a request (with a JSON body when given); returns the status and the parsed answer (default when empty).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>A column of a query's history row.</summary>
    public Task<T> HistoryValueAsync<T>(Guid queryUuid, string column) =>
        Metadata.ScalarAsync<T>($"select {column} from query_history where query_uuid = @q", ("q", queryUuid));

    /// <summary>GET of a page, returning the status code and the body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> GetPageAsync(Guid queryUuid, int? page = null, int? pageSize = null, Guid? projectUuid = null, int? waitMs = null)
    {
        var query = new List<string>();
        if (waitMs is not null)
        {
            query.Add($"waitMs={waitMs}");
        }

        if (page is not null)
        {
            query.Add($"page={page}");
        }

        if (pageSize is not null)
        {
            query.Add($"pageSize={pageSize}");
        }

        using var response = await Client.GetAsync($"{QueryPath(projectUuid)}/{queryUuid}{(query.Count > 0 ? "?" + string.Join('&', query) : "")}");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>The key of the query's stored results, as its history row records it.</summary>
    public async Task<string> ResultsFileNameAsync(Guid queryUuid) =>
        await Metadata.ScalarAsync<string>("select results_file_name from query_history where query_uuid = @q", ("q", queryUuid));

    /// <summary>Polls (every 25 ms, up to 30 s) until the query's status is <paramref name="expected"/>.</summary>
    public async Task WaitForStatusAsync(Guid queryUuid, string expected, Guid? projectUuid = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (_, body) = await GetPageAsync(queryUuid, projectUuid: projectUuid);
            var state = body.GetProperty("results").GetProperty("status").GetString();
            if (state == expected)
            {
                return;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"Query {queryUuid} is {state}, not {expected}, after 30 s");
            await Task.Delay(25);
        }
    }

    /// <summary>Waits (the server's long poll, woken when the query ends) until the query leaves pending/queued/executing; returns the last answer's results.</summary>
    public async Task<JsonElement> WaitForFinalStateAsync(Guid queryUuid, int? pageSize = null, Guid? projectUuid = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var (status, body) = await GetPageAsync(queryUuid, pageSize: pageSize, projectUuid: projectUuid, waitMs: 10_000);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            var results = body.GetProperty("results");
            var state = results.GetProperty("status").GetString();
            if (state is not ("pending" or "queued" or "executing"))
            {
                return results;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Query {queryUuid} still {state} after 120 s");
            }
        }
    }

    /// <summary>Submits SQL and waits for it to be ready.</summary>
    public async Task<Guid> RunToReadyAsync(string sql, long? limit = null, Guid? projectUuid = null)
    {
        var queryUuid = await SubmitAsync(sql, limit, projectUuid);
        var results = await WaitForFinalStateAsync(queryUuid, projectUuid: projectUuid);
        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("ready"), results.ToString());
        return queryUuid;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        S3.Dispose();
        await _factory.DisposeAsync();
        await Warehouse.DisposeAsync();
        await Metadata.DisposeAsync();
        File.Delete(DuckDbFile);
        File.Delete(DuckDbFile + ".wal");
        foreach (var folder in _ownedFolders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
