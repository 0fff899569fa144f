using System.Net;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Model files deployed through the API: validated, stored as versions in the metadata database, and
/// served at once by a second instance of the same deployment, as is a refresh of a models folder.
/// </summary>
[Category(TestCategories.Integration)]
public class ModelDeployTests
{
    private static readonly TimeSpan SeenWithin = TimeSpan.FromSeconds(10);

    private BackendHost _host = null!;
    private BackendHost _secondInstance = null!;
    private string _shopYaml = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartDemoShopAsync();
        _shopYaml = await File.ReadAllTextAsync(Path.Combine(_host.ModelsFolder!, "shop.yml"));
        // Another instance on the same metadata database, with the same folder-backed project.
        _secondInstance = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["MetadataDatabase:ConnectionString"] = _host.Metadata.ServiceConnectionString,
            ["Auth:BootstrapAdmin:Email"] = $"admin-{_host.ProjectUuid:N}@example.com",
            ["Auth:BootstrapAdmin:Token"] = _host.AdminToken,
            ["Projects:Items:0:ProjectUuid"] = _host.ProjectUuid.ToString(),
            ["Projects:Items:0:ConnectionString"] = _host.Warehouse.ReaderConnectionString,
            ["Projects:Items:0:ModelsPath"] = _host.ModelsFolder,
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _secondInstance.DisposeAsync();
        await _host.DisposeAsync();
    }

    private string ModelsPath(Guid project) => $"/api/v1/projects/{project}/models";

    private static object File_(string path, string content) => new { path, content };

    private Task<(HttpStatusCode Status, JsonElement Body)> DeployAsync(Guid project, object[] files, bool ignoreErrors = false, HttpClient? client = null) =>
        BackendHost.SendAsync(client ?? _host.Client, HttpMethod.Put, ModelsPath(project), new { files, ignoreErrors });

    private static async Task<JsonElement> ExploresAsync(BackendHost host, Guid project)
    {
        var (status, body) = await BackendHost.SendAsync(host.Client, HttpMethod.Get, $"/api/v1/projects/{project}/explores");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results");
    }

    private static IEnumerable<string?> Names(JsonElement catalog) => catalog.GetProperty("explores").EnumerateArray().Select(e => e.GetProperty("name").GetString());

    [Test]
    public async Task Deploy_IsStoredAsVersions_AndServedByTheOtherInstance()
    {
        var project = await CreateProjectAsync();
        var (status, body) = await DeployAsync(project, [File_("models/shop.yml", _shopYaml)]);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(body.GetProperty("results").GetProperty("version").GetProperty("version").GetInt32(), Is.EqualTo(1));
        var seen = await ExploresAsync(_secondInstance, project);
        Assert.That(Names(seen), Is.EqualTo(new[] { "customers", "orders" }));
        Assert.That((seen.GetProperty("source").GetString(), seen.GetProperty("version").GetInt32()), Is.EqualTo(("deployed", 1)));

        // The second instance has version 1 loaded; version 2 reaches it through the announcement.
        const string extra = "models:\n  - name: countries\n    meta: {sql_from: customers}\n    columns:\n      - name: country\n";
        (status, body) = await DeployAsync(project, [File_("models/shop.yml", _shopYaml), File_("models/extra.yml", extra)]);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        await Eventually.UntilAsync(async () => Names(await ExploresAsync(_secondInstance, project)).Contains("countries"), SeenWithin, "version 2 served by the second instance");

        var (_, versions) = await BackendHost.SendAsync(_secondInstance.Client, HttpMethod.Get, ModelsPath(project));
        Assert.That(versions.GetProperty("results").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()), Is.EqualTo(new[] { 2, 1 }));
        var (_, first) = await BackendHost.SendAsync(_secondInstance.Client, HttpMethod.Get, $"{ModelsPath(project)}/1");
        Assert.That(first.GetProperty("results").GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()), Is.EqualTo(new[] { "models/shop.yml" }));
        var (missing, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, $"{ModelsPath(project)}/9");
        Assert.That(missing, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task DeployedExplore_RunsAMetricQuery_OnTheOtherInstance()
    {
        var project = await CreateProjectAsync();
        await DeployAsync(project, [File_("shop.yml", _shopYaml)]);

        var (status, body) = await BackendHost.SendAsync(_secondInstance.Client, HttpMethod.Post, $"/api/v2/projects/{project}/query/metric-query", new
        {
            query = new { exploreName = "orders", dimensions = new[] { "orders_status" }, metrics = new[] { "orders_total_revenue" }, sorts = new[] { new { fieldId = "orders_status", descending = false } }, limit = 10 },
            waitMs = 20_000,
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var rows = body.GetProperty("results").GetProperty("firstPage").GetProperty("rows").EnumerateArray().ToList();
        Assert.That(rows.Select(r => (RowValues.Raw(r, "orders_status").GetString(), RowValues.Raw(r, "orders_total_revenue").GetDecimal())), Is.EqualTo(new[] { ("placed", 10m), ("shipped", 50m) }));
    }

    [Test]
    public async Task Deploy_WithModelErrors_IsRefusedListingThem_UnlessIgnored()
    {
        var project = await CreateProjectAsync();
        const string broken = "models:\n  - name: broken\n    columns:\n      - name: size\n        meta: {dimension: {type: integer}}\n";

        var (status, body) = await DeployAsync(project, [File_("shop.yml", _shopYaml), File_("broken.yml", broken)]);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("broken.yml:5").And.Contain("integer").And.Contain("nothing was deployed"));
        var (_, versions) = await BackendHost.SendAsync(_host.Client, HttpMethod.Get, ModelsPath(project));
        Assert.That(versions.GetProperty("results").GetArrayLength(), Is.Zero);

        (status, body) = await DeployAsync(project, [File_("shop.yml", _shopYaml), File_("broken.yml", broken)], ignoreErrors: true);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(body.GetProperty("results").GetProperty("version").GetProperty("errorCount").GetInt32(), Is.EqualTo(1));
        Assert.That(Names(body.GetProperty("results").GetProperty("catalog")), Is.EqualTo(new[] { "customers", "orders" }));
    }

    [TestCase("../shop.yml", "..")]
    [TestCase("/etc/shop.yml", "relative")]
    [TestCase("models\\shop.yml", "relative")]
    [TestCase("C:shop.yml", "relative")]
    [TestCase("models//shop.yml", "empty")]
    [TestCase("shop.sql", "not a .yml")]
    [TestCase("", "no path")]
    public async Task Deploy_UnsafePaths_Are400(string path, string expected)
    {
        var (status, body) = await DeployAsync(_host.OtherProjectUuid, [File_(path, _shopYaml)]);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task Deploy_BadFileLists_Are400()
    {
        var tooMany = Enumerable.Range(0, 2001).Select(i => File_($"m{i}.yml", "models: []")).ToArray();

        Assert.That((await DeployAsync(_host.OtherProjectUuid, [])).Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await DeployAsync(_host.OtherProjectUuid, tooMany)).Body.ToString(), Does.Contain("at most 2000"));
        Assert.That((await DeployAsync(_host.OtherProjectUuid, [File_("a.yml", "x"), File_("a.yml", "y")])).Body.ToString(), Does.Contain("twice"));
        Assert.That((await DeployAsync(_host.OtherProjectUuid, [new { path = "a.yml" }])).Body.ToString(), Does.Contain("no content"));
    }

    [Test]
    public async Task Deploy_NeedsAProjectAdmin_ListingNeedsADeveloper()
    {
        using var developer = await _host.CreateMemberClientAsync($"dev-{Guid.NewGuid():N}@example.com", "developer");
        using var viewer = await _host.CreateMemberClientAsync($"viewer-{Guid.NewGuid():N}@example.com", "viewer");
        using var outsider = await _host.CreateMemberClientAsync($"out-{Guid.NewGuid():N}@example.com", null);

        Assert.That((await DeployAsync(_host.ProjectUuid, [File_("shop.yml", _shopYaml)], client: developer)).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await BackendHost.SendAsync(developer, HttpMethod.Get, ModelsPath(_host.ProjectUuid))).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await BackendHost.SendAsync(viewer, HttpMethod.Get, ModelsPath(_host.ProjectUuid))).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await DeployAsync(_host.ProjectUuid, [File_("shop.yml", _shopYaml)], client: outsider)).Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Undeploy_GoesBackToTheFolder_OnEveryInstance()
    {
        const string only = "models:\n  - name: deployed_only\n    meta: {sql_from: orders}\n    columns:\n      - name: status\n";
        var (status, body) = await DeployAsync(_host.ProjectUuid, [File_("only.yml", only)]);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        await Eventually.UntilAsync(async () => Names(await ExploresAsync(_secondInstance, _host.ProjectUuid)).Contains("deployed_only"), SeenWithin, "the deploy on the second instance");

        var (deleted, catalog) = await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, ModelsPath(_host.ProjectUuid));
        var (again, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, ModelsPath(_host.ProjectUuid));

        Assert.That(deleted, Is.EqualTo(HttpStatusCode.OK), catalog.ToString());
        Assert.That(catalog.GetProperty("results").GetProperty("source").GetString(), Is.EqualTo("folder"));
        Assert.That(again, Is.EqualTo(HttpStatusCode.NotFound));
        await Eventually.UntilAsync(
            async () => Names(await ExploresAsync(_secondInstance, _host.ProjectUuid)) is var names && names.Contains("orders") && !names.Contains("deployed_only"),
            SeenWithin, "the folder's explores back on the second instance");
    }

    [Test]
    public async Task FolderRefresh_OnOneInstance_IsSeenByTheOther()
    {
        Assert.That(Names(await ExploresAsync(_secondInstance, _host.ProjectUuid)), Does.Not.Contain("refreshed"), "loaded and kept before the change");
        await File.WriteAllTextAsync(Path.Combine(_host.ModelsFolder!, "refreshed.yml"), "models:\n  - name: refreshed\n    meta: {sql_from: orders}\n    columns:\n      - name: status\n");

        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/projects/{_host.ProjectUuid}/refresh");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(body.GetProperty("results").GetProperty("source").GetString(), Is.EqualTo("folder"));
        await Eventually.UntilAsync(async () => Names(await ExploresAsync(_secondInstance, _host.ProjectUuid)).Contains("refreshed"), SeenWithin, "the refresh reached the second instance");
    }

    /// <summary>A new project on the demo shop's warehouse, without model files of its own.</summary>
    private async Task<Guid> CreateProjectAsync()
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, "/api/v1/projects", new
        {
            name = $"deployed {Guid.NewGuid():N}",
            warehouseType = "postgres",
            connectionString = _host.Warehouse.ReaderConnectionString,
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("projectUuid").GetGuid();
    }
}
