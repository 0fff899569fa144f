using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The explores routes over a project's model files: listing, one explore, model errors, refresh.</summary>
[Category(TestCategories.Integration)]
public class ExploresTests
{
    private string _models = null!;
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _models = BackendHost.CopyDemoModels();
        await File.WriteAllTextAsync(Path.Combine(_models, "broken.yml"), "models:\n  - name: broken\n    columns:\n      - name: size\n        meta:\n          dimension:\n            type: integer\n");
        _host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["Projects:Items:0:ModelsPath"] = _models });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _host.DisposeAsync();
        Directory.Delete(_models, recursive: true);
    }

    private string Path_(string rest = "") => $"/api/v1/projects/{_host.ProjectUuid}{rest}";

    [Test]
    public async Task Explores_ListsEachModelWithItsFields_AndTheErrorsOfTheOthers()
    {
        var body = await _host.Client.GetFromJsonAsync<JsonElement>(Path_("/explores"));
        var results = body.GetProperty("results");

        Assert.That(results.GetProperty("explores").EnumerateArray().Select(e => e.GetProperty("name").GetString()), Is.EqualTo(new[] { "customers", "orders" }));
        var error = results.GetProperty("errors").EnumerateArray().Single();
        Assert.That((error.GetProperty("file").GetString(), error.GetProperty("model").GetString(), error.GetProperty("field").GetString()), Is.EqualTo(("broken.yml", "broken", "size")));
        var orders = results.GetProperty("explores").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "orders");
        var revenue = orders.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "orders_total_revenue");
        Assert.That(revenue.GetProperty("fieldType").GetString(), Is.EqualTo("metric"));
        Assert.That(revenue.GetProperty("type").GetString(), Is.EqualTo("sum"));
        Assert.That(revenue.GetProperty("table").GetString(), Is.EqualTo("orders"));
        var share = orders.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "orders_revenue_share");
        Assert.That((share.GetProperty("type").GetString(), share.GetProperty("format").GetString()), Is.EqualTo(("percent_of_total", "#,##0.00%")));
        var status = orders.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "orders_status");
        Assert.That(status.GetProperty("presentation").GetProperty("colors").GetProperty("returned").GetString(), Is.EqualTo("#C62828"), "settings clients show are served as written");
        var monthName = orders.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "orders_order_date_month_name");
        Assert.That((monthName.GetProperty("type").GetString(), monthName.GetProperty("baseDimension").GetString()), Is.EqualTo(("string", "order_date")));
        Assert.That(results.GetProperty("warnings").EnumerateArray().ToList(), Is.Empty, "the demo models use nothing that is ignored");
    }

    [Test]
    public async Task Explore_ByName_HasItsJoinedTables()
    {
        var body = await _host.Client.GetFromJsonAsync<JsonElement>(Path_("/explores/orders"));
        var explore = body.GetProperty("results");

        Assert.That(explore.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("name").GetString()), Is.EqualTo(new[] { "orders", "customers" }));
        Assert.That(explore.GetProperty("tables")[1].GetProperty("relationship").GetString(), Is.EqualTo("many-to-one"));
        Assert.That(explore.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("id").GetString()), Does.Contain("customers_country").And.Contain("orders_order_date_month"));
    }

    [Test]
    public async Task Explore_Unknown_Returns404NamingIt()
    {
        using var response = await _host.Client.GetAsync(Path_("/explores/nowhere"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("nowhere"));
    }

    [Test]
    public async Task ExploreWithErrors_AnswersWithItsErrors_NotThatItDoesNotExist()
    {
        using var explore = await _host.Client.GetAsync(Path_("/explores/broken"));
        using var query = await _host.Client.PostAsJsonAsync($"/api/v2/projects/{_host.ProjectUuid}/query/metric-query", new { query = new { exploreName = "broken" } });
        var exploreBody = await explore.Content.ReadFromJsonAsync<JsonElement>();
        var queryBody = await query.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(explore.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(query.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        foreach (var body in new[] { exploreBody, queryBody })
        {
            Assert.That(
                body.GetProperty("error").GetProperty("message").GetString(),
                Does.Contain("Explore broken has errors").And.Contain("broken.yml").And.Contain("field size"));
        }
    }

    [Test]
    public async Task Refresh_PicksUpChangedFiles()
    {
        await File.WriteAllTextAsync(Path.Combine(_models, "late.yml"), "models:\n  - name: late_arrival\n");
        try
        {
            using var refreshed = await _host.Client.PostAsync(Path_("/refresh"), null);
            var body = await refreshed.Content.ReadFromJsonAsync<JsonElement>();

            Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("results").GetProperty("explores").EnumerateArray().Select(e => e.GetProperty("name").GetString()), Does.Contain("late_arrival"));
        }
        finally
        {
            File.Delete(Path.Combine(_models, "late.yml"));
            await _host.Client.PostAsync(Path_("/refresh"), null);
        }
    }

    [Test]
    public async Task Explores_OfAProjectWithoutModels_AreEmpty()
    {
        var body = await _host.Client.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{_host.OtherProjectUuid}/explores");

        Assert.That(body.GetProperty("results").GetProperty("explores").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Explores_WithoutAToken_Return401()
    {
        using var anonymous = _host.CreateClient(null);

        Assert.That((await anonymous.GetAsync(Path_("/explores"))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await anonymous.PostAsync(Path_("/refresh"), null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
