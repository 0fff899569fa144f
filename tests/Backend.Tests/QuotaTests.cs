using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Submission quotas, per user and per project, answered with 429, Retry-After and the limit's name;
/// set per project by organisation admins; and the admins' view of current use.
/// </summary>
[Category(TestCategories.Integration)]
public class QuotaTests
{
    [Test]
    public async Task Quotas_RefuseWithRetryAfter_NamingTheLimit_AndAdminsSeeTheUse()
    {
        await using var host = await BackendHost.StartAsync(new Dictionary<string, string?> { ["QueryExecution:MaxSubmissionsPerMinutePerUser"] = "3" });
        var member = await host.CreateMemberClientAsync($"quota-{Guid.NewGuid():N}@example.com", "developer");
        var path = $"{host.QueryPath()}/sql";
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await PostAsync(host.Client, path, i)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var refused = await PostAsync(host.Client, path, 3);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
        Assert.That(await MessageAsync(refused), Does.Contain("maxSubmissionsPerMinutePerUser"));
        Assert.That((await PostAsync(member, path, 4)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the limit is each user's");

        // The project's own limit, set by an organisation admin (a project member may not).
        var (forbidden, _) = await BackendHost.SendAsync(member, HttpMethod.Patch, $"/api/v1/projects/{host.ProjectUuid}", new { maxSubmissionsPerMinute = 100 });
        Assert.That(forbidden, Is.EqualTo(HttpStatusCode.Forbidden));
        var (updated, project) = await BackendHost.SendAsync(host.Client, HttpMethod.Patch, $"/api/v1/projects/{host.ProjectUuid}", new { maxSubmissionsPerMinute = 5 });
        Assert.That(updated, Is.EqualTo(HttpStatusCode.OK), project.ToString());
        Assert.That(project.GetProperty("results").GetProperty("maxSubmissionsPerMinute").GetInt32(), Is.EqualTo(5));
        Assert.That((await PostAsync(member, path, 5)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var projectRefused = await PostAsync(member, path, 6);
        Assert.That(projectRefused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await MessageAsync(projectRefused), Does.Contain("maxSubmissionsPerMinute)"));

        var (memberStatus, _) = await BackendHost.SendAsync(member, HttpMethod.Get, "/api/v1/org/usage");
        Assert.That(memberStatus, Is.EqualTo(HttpStatusCode.Forbidden));
        var (status, usage) = await BackendHost.SendAsync(host.Client, HttpMethod.Get, "/api/v1/org/usage");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var use = usage.GetProperty("results").GetProperty("projects").EnumerateArray().Single(p => p.GetProperty("projectUuid").GetGuid() == host.ProjectUuid);
        Assert.That((use.GetProperty("submittedLastMinute").GetInt64(), use.GetProperty("maxSubmissionsPerMinute").GetInt32()), Is.EqualTo((5L, 5)));
        Assert.That(usage.GetProperty("results").GetProperty("users").GetArrayLength(), Is.EqualTo(2));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, int i) =>
        client.PostAsJsonAsync(path, new { sql = $"select {i} as n_{Guid.NewGuid():N}" });

    private static async Task<string> MessageAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString()!;
}
