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

    [Test]
    public async Task FieldValuesStatement_IsTaggedLikeEveryOther()
    {
        // The demo shop's models over a view whose status takes a moment to read: long enough to see the statement.
        await _host.Warehouse.ExecuteAsync("""
            create table customers (customer_id integer, first_name text, last_name text, country text, created_at timestamp);
            create table order_rows (order_id integer, customer_id integer, order_date date, status text, amount numeric(10,2), is_gift boolean);
            insert into order_rows values (1, 1, '2024-01-05', 'placed', 10, false), (2, 1, '2024-02-05', 'shipped', 20, true);
            create function slow_text(t text) returns text language sql volatile as $$ select t || coalesce((select '' from pg_sleep(1)), '') $$;
            create view orders as select order_id, customer_id, order_date, slow_text(status) as status, amount, is_gift from order_rows;
            grant select on orders to public;
            """);
        var shop = await File.ReadAllTextAsync(Path.Combine(ChildProcess.RepositoryRoot(), "scripts", "demo", "models", "postgres", "shop.yml"));
        var (deployed, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Put, $"/api/v1/projects/{_host.ProjectUuid}/models", new { files = new[] { new { path = "shop.yml", content = shop } } });
        Assert.That(deployed, Is.EqualTo(System.Net.HttpStatusCode.OK), body.ToString());

        var values = BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/field-values", new { table = "orders", fieldId = "orders_status", forceRefresh = true });
        var running = await Eventually.ValueAsync(
            async () => await _host.Warehouse.ScalarAsync<string>(
                "select coalesce(max(query), '') from pg_stat_activity where query like '%context=fieldValues%' and state = 'active' and pid <> pg_backend_pid()") is { Length: > 0 } q ? q : null,
            TimeSpan.FromSeconds(30),
            "the field values statement running");
        var (status, answer) = await values;

        Assert.That(running, Does.StartWith($"/* lightdash-net queryUuid=").And.Contain($"userUuid={await _host.AdminUserUuidAsync()} projectUuid={_host.ProjectUuid} context=fieldValues */"));
        Assert.That(status, Is.EqualTo(System.Net.HttpStatusCode.OK), answer.ToString());
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
