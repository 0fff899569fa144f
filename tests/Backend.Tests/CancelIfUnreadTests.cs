using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Opt-in: a query nobody polls or waits on is cancelled, and its warehouse statement stopped.</summary>
[Category(TestCategories.Integration)]
public class CancelIfUnreadTests
{
    private BackendHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["QueryExecution:HeartbeatInterval"] = "00:00:00.200" });

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<Guid> SubmitAsync(string sql, int cancelIfUnreadSeconds)
    {
        using var response = await _host.Client.PostAsJsonAsync($"{_host.QueryPath()}/sql", new { sql, cancelIfUnreadSeconds });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body.GetProperty("results").GetProperty("queryUuid").GetGuid();
    }

    [Test]
    public async Task UnreadQuery_IsCancelled_AndItsWarehouseStatementStops()
    {
        var marker = $"unread_{Guid.NewGuid():N}";
        var queryUuid = await SubmitAsync($"select pg_sleep(60) as {marker}", 1);
        var activeSql = $"select count(*) from pg_stat_activity where query like '%as {marker}%' and state = 'active' and pid <> pg_backend_pid()";
        await Eventually.UntilAsync(async () => await _host.Warehouse.ScalarAsync<long>(activeSql) > 0, TimeSpan.FromSeconds(20), "the statement starting");

        // Nobody reads it through the API: only the database is looked at.
        await Eventually.UntilAsync(async () => await _host.HistoryValueAsync<string>(queryUuid, "status") == "cancelled", TimeSpan.FromSeconds(10), "the unread query being cancelled");
        await Eventually.UntilAsync(async () => await _host.Warehouse.ScalarAsync<long>(activeSql) == 0, TimeSpan.FromSeconds(5), "its warehouse statement stopping");

        var (_, page) = await _host.GetPageAsync(queryUuid);
        Assert.That(page.GetProperty("results").GetProperty("error").GetString(), Does.Contain("nobody read this query"));
    }

    [Test]
    public async Task PolledQuery_RunsToTheEnd()
    {
        var queryUuid = await SubmitAsync($"select pg_sleep(3) as read_{Guid.NewGuid():N}", 1);
        string? status;
        do
        {
            await Task.Delay(300);
            var (_, page) = await _host.GetPageAsync(queryUuid);
            status = page.GetProperty("results").GetProperty("status").GetString();
        }
        while (status is "pending" or "queued" or "executing");

        Assert.That(status, Is.EqualTo("ready"));
    }

    [Test]
    public async Task ProjectSetting_CancelsItsUnreadQueries_WhenTheRequestSetsNone()
    {
        var project = $"/api/v1/projects/{_host.OtherProjectUuid}";
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, project, new { cancelIfUnreadSeconds = 1 });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        try
        {
            var queryUuid = await _host.SubmitAsync($"select pg_sleep(60) as project_unread_{Guid.NewGuid():N}", projectUuid: _host.OtherProjectUuid);

            await Eventually.UntilAsync(async () => await _host.HistoryValueAsync<string>(queryUuid, "status") == "cancelled", TimeSpan.FromSeconds(15), "the project's setting cancelling it");
            Assert.That(await _host.HistoryValueAsync<long>(queryUuid, "cancel_if_unread_ms"), Is.EqualTo(1000));
        }
        finally
        {
            var (off, answer) = await BackendHost.SendAsync(_host.Client, HttpMethod.Patch, project, new { cancelIfUnreadSeconds = 0 });
            Assert.That(off, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        }

        var ordinary = await _host.SubmitAsync($"select 1 as after_off_{Guid.NewGuid():N}", projectUuid: _host.OtherProjectUuid);
        Assert.That(await _host.Metadata.ScalarAsync<bool>($"select cancel_if_unread_ms is null from query_history where query_uuid = '{ordinary}'"), Is.True, "0 turned it off");
    }

    [TestCase(0)]
    [TestCase(100_000)]
    public async Task CancelIfUnreadSeconds_OutOfRange_Returns400(int seconds)
    {
        using var response = await _host.Client.PostAsJsonAsync($"{_host.QueryPath()}/sql", new { sql = "select 1", cancelIfUnreadSeconds = seconds });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
