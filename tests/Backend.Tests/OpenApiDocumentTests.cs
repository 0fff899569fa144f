using System.Text.Json;
using System.Text.Json.Nodes;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The committed openapi/openapi.json is what the app serves.</summary>
[Category(TestCategories.Integration)]
public class OpenApiDocumentTests
{
    private static string CommittedDocumentPath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Lightdash.Net.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("Lightdash.Net.sln not found above the test output"), "openapi", "openapi.json");
    }

    [Test]
    public async Task ServedDocument_EqualsTheCommittedOne()
    {
        await using var host = await BackendHost.StartAsync();
        var served = JsonNode.Parse(await host.Client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var formatted = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var path = CommittedDocumentPath();
        if (Environment.GetEnvironmentVariable("LIGHTDASH_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, formatted);
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing; run scripts/update-openapi.sh");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.That(JsonNode.DeepEquals(served, committed), Is.True, "openapi/openapi.json differs from the served document; run scripts/update-openapi.sh and commit it");
    }

    [Test]
    public async Task EveryOperation_HasItsOwnOperationId_LightdashsWhereTheRouteIsLightdashs()
    {
        await using var host = await BackendHost.StartAsync();
        var document = JsonNode.Parse(await host.Client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var ids = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => (Route: $"{operation.Key.ToUpperInvariant()} {path.Key}", Id: operation.Value!["operationId"]?.GetValue<string>())))
            .ToList();

        Assert.That(ids.Where(i => string.IsNullOrEmpty(i.Id)).Select(i => i.Route), Is.Empty, "operations without an operationId");
        Assert.That(ids.GroupBy(i => i.Id).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "operationIds used twice");
        Assert.That(ids.Select(i => i.Id), Has.All.Match("^[a-z][A-Za-z]+$"), "camelCase verb-noun ids");
        var byRoute = ids.ToDictionary(i => i.Route, i => i.Id);
        Assert.That(byRoute["POST /api/v2/projects/{projectUuid}/query/metric-query"], Is.EqualTo("executeAsyncMetricQuery"));
        Assert.That(byRoute["POST /api/v2/projects/{projectUuid}/query/sql"], Is.EqualTo("executeAsyncSqlQuery"));
        Assert.That(byRoute["GET /api/v2/projects/{projectUuid}/query/{queryUuid}"], Is.EqualTo("getAsyncQueryResults"));
        Assert.That(byRoute["POST /api/v2/projects/{projectUuid}/query/{queryUuid}/cancel"], Is.EqualTo("cancelAsyncQuery"));
        Assert.That(byRoute["POST /api/v2/projects/{projectUuid}/query/dashboard-sql-chart"], Is.EqualTo("executeAsyncDashboardSqlChartQuery"));
    }

    [Test]
    public async Task ServedDocument_DocumentsEveryRouteAndField()
    {
        await using var host = await BackendHost.StartAsync();
        var document = JsonNode.Parse(await host.Client.GetStringAsync("/swagger/v1/swagger.json"))!;

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (verb, operation) in item!.AsObject())
            {
                Assert.That(operation!["summary"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty, $"{verb} {path} has no summary");
            }
        }

        foreach (var (name, schema) in document["components"]!["schemas"]!.AsObject())
        {
            foreach (var (property, definition) in schema!["properties"]?.AsObject() ?? [])
            {
                var described = definition!["description"] is not null || definition["allOf"] is not null || definition["$ref"] is not null;
                Assert.That(described, Is.True, $"{name}.{property} has no description");
            }
        }
    }
}
