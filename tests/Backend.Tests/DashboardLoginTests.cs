using System.Net;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The Hangfire dashboard's browser login: a cookie only for an organisation admin's valid token,
/// whatever else an address sends. Each test has a host of its own with a low request limit: the
/// flood uses up its address's limit.
/// </summary>
[Category(TestCategories.Integration)]
public class DashboardLoginTests
{
    private static Task<BackendHost> StartAsync() => BackendHost.StartAsync(new Dictionary<string, string?> { ["Auth:RequestsPerMinute"] = "10" });

    [Test]
    public async Task Login_SetsAnHttpOnlyCookie_OnlyForAnOrganisationAdminsValidToken()
    {
        await using var host = await StartAsync();
        var developerToken = await DeveloperTokenAsync(host);
        using var browser = host.CreateClientWithoutRedirects();

        using var bad = await browser.GetAsync("/hangfire?token=ldpat_not-a-real-token");
        using var developer = await browser.GetAsync($"/hangfire?token={developerToken}");
        using var admin = await browser.GetAsync($"/hangfire?token={host.AdminToken}");

        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(bad.Headers.Contains("Set-Cookie"), Is.False);
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("\"statusCode\":401"));
        Assert.That(developer.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(developer.Headers.Contains("Set-Cookie"), Is.False);
        Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var cookie = admin.Headers.GetValues("Set-Cookie").Single();
        Assert.That(cookie, Does.StartWith("lightdash_token=").And.Contain("httponly").IgnoreCase.And.Contain("samesite=strict").IgnoreCase);
        Assert.That(admin.Headers.Location!.ToString(), Does.Not.Contain("token"));
    }

    [Test]
    public async Task TheDashboardCookie_AuthenticatesTheDashboardOnly_AndItsActionsWithoutAFormAnswer400()
    {
        await using var host = await StartAsync();
        using var browser = host.CreateClientWithoutRedirects();
        var cookie = $"{ApiKeyAuthenticationHandler.CookieName}={host.AdminToken}";

        using var api = await SendWithCookieAsync(browser, HttpMethod.Get, "/api/v1/user", cookie);
        using var dashboard = await SendWithCookieAsync(browser, HttpMethod.Get, "/hangfire", cookie);
        using var statsByGet = await SendWithCookieAsync(browser, HttpMethod.Get, "/hangfire/stats", cookie);
        using var statsByForm = await SendWithCookieAsync(browser, HttpMethod.Post, "/hangfire/stats", cookie, new FormUrlEncodedContent([new("metrics[]", "succeeded:count")]));

        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "an API route never reads the cookie");
        Assert.That(dashboard.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(statsByGet.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await statsByGet.Content.ReadAsStringAsync(), Does.Contain("\"statusCode\":400").And.Contain("form POST"));
        Assert.That(statsByForm.StatusCode, Is.EqualTo(HttpStatusCode.OK), await statsByForm.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> SendWithCookieAsync(HttpClient client, HttpMethod method, string path, string cookie, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request);
    }

    private static async Task<string> DeveloperTokenAsync(BackendHost host)
    {
        using var created = await host.Client.PostAsync("/api/v1/users", System.Net.Http.Json.JsonContent.Create(new { email = $"dev-{Guid.NewGuid():N}@example.com" }));
        var body = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("results").GetProperty("token").GetProperty("token").GetString()!;
    }

    [Test]
    public async Task AFloodOfBadTokens_DoesNotLockTheAdminOut()
    {
        await using var host = await StartAsync();
        using var browser = host.CreateClientWithoutRedirects();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 15; i++)
        {
            using var response = await browser.GetAsync($"/hangfire?token=ldpat_guess-{i}");
            statuses.Add(response.StatusCode);
        }

        using var admin = await browser.GetAsync($"/hangfire?token={host.AdminToken}");

        Assert.That(statuses, Does.Contain(HttpStatusCode.TooManyRequests), "the address that guesses is slowed down");
        Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the admin's own login is counted against the admin");
    }
}
