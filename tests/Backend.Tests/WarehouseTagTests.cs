using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Every warehouse statement says which query, user, project and context it serves, in the warehouse's own tagging.</summary>
[Category(TestCategories.Integration)]
public class WarehouseTagTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task PostgresStatement_CarriesTheQueryInApplicationNameAndALeadingComment()
    {
        using var submitted = await _host.Client.PostAsJsonAsync($"{_host.QueryPath()}/sql", new { sql = "select pg_sleep(30) as tagged", context = "tag-test.v1_x" });
        var queryUuid = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("queryUuid").GetGuid();
        var admin = await _host.AdminUserUuidAsync();
        try
        {
            var activity = await Eventually.ValueAsync(
                async () => await _host.Warehouse.ScalarAsync<string>(
                    "select coalesce(max(application_name || '|' || query), '') from pg_stat_activity where application_name = @app and state = 'active'",
                    ("app", $"lightdash-net {queryUuid}")) is { Length: > 0 } row ? row : null,
                TimeSpan.FromSeconds(30),
                "the tagged statement running");

            Assert.That(activity, Does.StartWith($"lightdash-net {queryUuid}|/* lightdash-net queryUuid={queryUuid} userUuid={admin} projectUuid={_host.ProjectUuid} context=tag-test.v1_x */"));
        }
        finally
        {
            using var cancelled = await _host.Client.PostAsync($"{_host.QueryPath()}/{queryUuid}/cancel", null);
        }
    }

    [TestCase("tag*/test")]
    [TestCase("two words")]
    public async Task Context_ThatIsNotPlain_Returns400(string context)
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/sql", new { sql = "select 1 as one", context });

        Assert.That(status, Is.EqualTo(System.Net.HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("context must be at most 64"));
    }

    [Test]
    public async Task Context_OfAMegabyte_Returns400AndIsNotStored()
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/sql", new { sql = "select 1 as one", context = new string('x', 1 << 20) });

        Assert.That(status, Is.EqualTo(System.Net.HttpStatusCode.BadRequest), body.ToString());
        Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from query_history where length(context) > 64"), Is.Zero);
    }
}
