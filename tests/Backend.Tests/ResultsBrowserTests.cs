using System.Net;
using Lightdash.Net.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The results browser driven in real headless Chromium (Debian's package, installed by the test command)
/// against a backend process serving the demo project: sign in, run, watch, page, cancel, reopen, export.
/// Screenshots of the main states are attached to the tests.
/// </summary>
[Category(TestCategories.Integration)]
[NonParallelizable]
public class ResultsBrowserTests
{
    private const string XssLabel = "<img src=x onerror=alert(1)>";
    private TestDatabase _metadata = null!;
    private TestDatabase _warehouse = null!;
    private ChildProcess _backend = null!;
    private Uri _address = null!;
    private string _token = null!;
    private string _models = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;
    private List<string> _problems = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _metadata = await TestDatabase.CreateAsync("meta");
        _warehouse = await TestDatabase.CreateAsync("demo");
        await _warehouse.ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(ChildProcess.RepositoryRoot(), "scripts", "demo", "postgres-demo.sql")));
        _models = BackendHost.CopyDemoModels();
        var settings = BackendHost.BaseSettings(
            _metadata.ServiceConnectionString, _warehouse.ReaderConnectionString, TestPrefixes.New(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Path.GetTempFileName());
        settings["Projects:Items:0:ModelsPath"] = _models;
        (_backend, _address) = await ChildProcess.StartBackendAsync(settings.ToDictionary(p => p.Key, p => p.Value!));
        _token = settings["Auth:BootstrapAdmin:Token"]!;

        var chromium = Environment.GetEnvironmentVariable("LIGHTDASH_TEST_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.That(File.Exists(chromium), Is.True, $"Chromium is not at {chromium}: run the tests with scripts/test.sh, which installs it.");
        _playwright = await Playwright.CreateAsync();
        SetDefaultExpectTimeout(15_000);
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _backend.DisposeAsync();
        await _warehouse.DisposeAsync();
        await _metadata.DisposeAsync();
        Directory.Delete(_models, recursive: true);
    }

    [SetUp]
    public async Task OpenPageAsync()
    {
        _context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _address.ToString(), AcceptDownloads = true, ViewportSize = new() { Width = 1280, Height = 900 } });
        _context.SetDefaultTimeout(20_000);
        _page = await _context.NewPageAsync();
        _problems = [];
        // A script error, a blocked resource (CSP) or an alert is a defect of the page.
        _page.Console += (_, message) => { if (message.Type == "error") _problems.Add($"console: {message.Text}"); };
        _page.PageError += (_, error) => _problems.Add($"page error: {error}");
        _page.Dialog += async (_, dialog) => { _problems.Add($"dialog: {dialog.Message}"); await dialog.DismissAsync(); };
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        await _context.DisposeAsync();
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            var output = _backend.Output.ToString();
            await TestContext.Out.WriteLineAsync($"backend output (last 4,000 characters): {output[Math.Max(0, output.Length - 4000)..]}");
        }

        Assert.That(_problems, Is.Empty, "the page logged no error, loaded nothing the policy blocked and opened no dialog");
    }

    private async Task ScreenshotAsync(string name)
    {
        var folder = Path.Combine(ChildProcess.RepositoryRoot(), ".local", "test-results", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }

    /// <summary>Signs in as the admin and picks the demo project (the admin sees every project).</summary>
    private async Task SignInAsync()
    {
        await _page.GotoAsync("/");
        await _page.GetByLabel("Personal access token").FillAsync(_token);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await _page.GetByLabel("Project").SelectOptionAsync(new SelectOptionValue { Label = "Test project (postgres)" });
        await Expect(_page.Locator("#role")).ToHaveTextAsync("Role: admin");
        await Expect(_page.Locator("#explore option")).Not.ToHaveCountAsync(0);
    }

    private async Task RunSqlAsync(string sql)
    {
        await _page.GetByLabel("SQL", new() { Exact = true }).FillAsync(sql);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Run (Ctrl+Enter)" }).ClickAsync();
    }

    [Test]
    public async Task ThePage_IsServedWithAStrictContentSecurityPolicy()
    {
        using var http = new HttpClient { BaseAddress = _address };
        using var response = await http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        using var missing = await http.GetAsync("/browser/nothing.js");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'").And.Not.Contain("unsafe-inline"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        Assert.That(html, Does.Not.Match("<script(?![^>]*\\ssrc=)"), "no inline script");
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://"), "nothing loaded from elsewhere");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task SignIn_RunSql_SeeTheFirstRows_ThenGoToPage3()
    {
        await SignInAsync();
        await ScreenshotAsync("signed-in");
        await RunSqlAsync("select order_id, status, amount from orders order by order_id");

        await Expect(_page.Locator("#status")).ToContainTextAsync("Ready: 20,000 rows");
        await Expect(_page.Locator("#summary")).ToHaveTextAsync("Rows 1–500 of 20,000.");
        await Expect(_page.Locator("#grid tbody tr")).ToHaveCountAsync(500);
        await Expect(_page.Locator("#grid tbody tr").First.Locator("td").First).ToHaveTextAsync("1");
        await Expect(_page.Locator("#grid tbody tr").First.Locator("td").First).ToHaveClassAsync("number");
        await ScreenshotAsync("ready-page-1");

        await _page.GetByLabel("Page", new() { Exact = true }).FillAsync("3");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Go" }).ClickAsync();

        await Expect(_page.Locator("#summary")).ToHaveTextAsync("Rows 1,001–1,500 of 20,000.");
        await Expect(_page.Locator("#grid tbody tr").First.Locator("td").First).ToHaveTextAsync("1001");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Last" }).ClickAsync();
        await Expect(_page.Locator("#summary")).ToHaveTextAsync("Rows 19,501–20,000 of 20,000.");
        await ScreenshotAsync("last-page");
    }

    [Test]
    public async Task ValuesAreText_AndNullIsShownAsSuch()
    {
        await SignInAsync();
        await _page.GetByLabel("SQL", new() { Exact = true }).FillAsync($"select '{XssLabel}' as label, null::int as nothing, 1234.5::numeric(10,2) as amount");
        await _page.GetByLabel("SQL", new() { Exact = true }).PressAsync("Control+Enter");

        var cells = _page.Locator("#grid tbody tr").First.Locator("td");
        await Expect(cells.Nth(0)).ToHaveTextAsync(XssLabel);
        await Expect(cells.Nth(1)).ToHaveTextAsync("NULL");
        await Expect(cells.Nth(1)).ToHaveClassAsync("null");
        await Expect(cells.Nth(2)).ToHaveClassAsync("number");
        Assert.That(await _page.Locator("#grid img").CountAsync(), Is.Zero, "the markup was not parsed");
        await ScreenshotAsync("xss-as-text");
    }

    [Test]
    public async Task ALongQuery_IsWatchedThenCancelled_AndAFailureIsReadable()
    {
        await SignInAsync();
        await RunSqlAsync("select pg_sleep(30) as slept");
        await Expect(_page.Locator("#status")).ToContainTextAsync("Executing");
        await ScreenshotAsync("executing");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Expect(_page.Locator("#status")).ToHaveTextAsync("Cancelled.");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeDisabledAsync();

        await RunSqlAsync("select * from no_such_table");
        await Expect(_page.Locator("#status")).ToContainTextAsync("The query failed:");
        await Expect(_page.Locator("#status")).ToContainTextAsync("no_such_table");
        await ScreenshotAsync("error");
    }

    [Test]
    public async Task History_ReopensAnEarlierResult()
    {
        await SignInAsync();
        await RunSqlAsync("select status, count(*) as orders from orders group by status order by status");
        await Expect(_page.Locator("#status")).ToContainTextAsync("Ready");
        await RunSqlAsync("select 42 as answer");
        await Expect(_page.Locator("#grid tbody tr").First.Locator("td").First).ToHaveTextAsync("42");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        var earlier = _page.Locator("#history tbody tr").Filter(new() { HasText = "group by status" }).First;
        await Expect(earlier).ToContainTextAsync("ready");
        await ScreenshotAsync("history");
        await earlier.GetByRole(AriaRole.Button).ClickAsync();

        await Expect(_page.Locator("#grid thead th").First).ToHaveTextAsync("status");
        await Expect(_page.Locator("#grid thead th").Nth(1)).ToHaveTextAsync("orders");
    }

    [Test]
    public async Task ExportCsv_DownloadsTheWholeResult()
    {
        await SignInAsync();
        await RunSqlAsync("select order_id, status from orders order by order_id");
        await Expect(_page.Locator("#status")).ToContainTextAsync("Ready");
        await _page.GetByLabel("Export as").SelectOptionAsync("csv");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Export" }).ClickAsync();

        var link = _page.Locator("#export-link");
        await Expect(link).ToBeVisibleAsync();
        await Expect(_page.Locator("#export-progress")).ToHaveAttributeAsync("value", "1");
        await ScreenshotAsync("exported");
        var download = await _page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        var lines = await File.ReadAllLinesAsync(await download.PathAsync());

        Assert.That(download.SuggestedFilename, Does.EndWith(".csv"));
        Assert.That(lines[0], Is.EqualTo("order_id,status"));
        Assert.That(lines, Has.Length.EqualTo(20001));
        Assert.That(lines[1], Is.EqualTo("1,shipped"));
    }

    [Test]
    public async Task AViewer_PicksAnExploresFields_AndCannotWriteSql()
    {
        using var admin = new HttpClient { BaseAddress = _address };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", _token);
        var viewerToken = await CreateViewerAsync(admin);

        await _page.GotoAsync("/");
        await _page.GetByLabel("Personal access token").FillAsync(viewerToken);
        await _page.GetByLabel("Personal access token").PressAsync("Enter");
        await Expect(_page.Locator("#role")).ToHaveTextAsync("Role: viewer");
        await Expect(_page.GetByLabel("SQL", new() { Exact = true })).ToBeHiddenAsync();
        await Expect(_page.Locator("#sql-denied")).ToBeVisibleAsync();

        await _page.GetByLabel("Explore").SelectOptionAsync("orders");
        await _page.Locator("#dimensions label").Filter(new() { HasText = "Status" }).First.ClickAsync();
        await _page.Locator("#metrics input").First.CheckAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Run (Ctrl+Enter)" }).ClickAsync();

        await Expect(_page.Locator("#status")).ToContainTextAsync("Ready");
        Assert.That(await _page.Locator("#grid thead th").CountAsync(), Is.EqualTo(2));
        await ScreenshotAsync("viewer-explore");
    }

    [Test]
    public async Task ARevokedToken_SendsThePersonBackToSignIn()
    {
        await SignInAsync();
        await _page.EvaluateAsync("() => sessionStorage.setItem('lightdash.token', 'ldpat_not-a-real-token')");
        await _page.ReloadAsync();

        await Expect(_page.GetByLabel("Personal access token")).ToBeVisibleAsync();
        await Expect(_page.Locator("#message")).ToContainTextAsync("Sign in again");
        Assert.That(await _page.EvaluateAsync<string?>("() => sessionStorage.getItem('lightdash.token')"), Is.Null);
        _problems.RemoveAll(p => p.Contains("401", StringComparison.Ordinal));
    }

    [Test]
    public async Task AtPhoneWidth_EveryControlStaysReachable_AndThePageDoesNotScrollSideways()
    {
        await _page.SetViewportSizeAsync(390, 844);
        await SignInAsync();
        await RunSqlAsync("select order_id, customer_id, order_date, status, amount, is_gift from orders order by order_id");
        await Expect(_page.Locator("#status")).ToContainTextAsync("Ready");

        var wide = await _page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.grid-wrap')).map(e => e.tagName + '#' + e.id)");
        Assert.That(wide, Is.Empty, "nothing outside the grids' frames is wider than the screen");
        var overflow = await _page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.That(overflow, Is.LessThanOrEqualTo(0), "no sideways scrolling of the page (the grid scrolls inside its frame)");
        foreach (var name in new[] { "Run (Ctrl+Enter)", "Next", "Last", "Export", "Refresh", "Sign out" })
        {
            await Expect(_page.GetByRole(AriaRole.Button, new() { Name = name })).ToBeVisibleAsync();
        }

        await ScreenshotAsync("phone-width");
    }

    [Test]
    public async Task EveryControl_HasALabel_AndIsReachableByKeyboard()
    {
        await SignInAsync();
        var unlabelled = await _page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input, select, textarea, button')]
              .filter(e => !e.closest('[hidden]'))
              .filter(e => !(e.labels?.length || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent.trim())))
              .map(e => e.id || e.outerHTML)
            """);
        Assert.That(unlabelled, Is.Empty);

        // Tab from the top reaches the editor and the Run button without a mouse.
        var reached = new HashSet<string>();
        for (var i = 0; i < 25; i++)
        {
            await _page.Keyboard.PressAsync("Tab");
            reached.Add(await _page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''"));
        }

        Assert.That(reached, Is.SupersetOf(new[] { "project", "sign-out", "sql", "run" }));
    }

    private static async Task<string> CreateViewerAsync(HttpClient admin)
    {
        var projects = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/api/v1/projects")).RootElement.GetProperty("results");
        var project = projects.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Test project").GetProperty("projectUuid").GetString();
        using var created = await admin.PostAsync("/api/v1/users", System.Net.Http.Json.JsonContent.Create(new { email = $"viewer-{Guid.NewGuid():N}@example.com" }));
        var user = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        using var member = await admin.PutAsync(
            $"/api/v1/projects/{project}/access/{user.GetProperty("user").GetProperty("userUuid").GetString()}",
            System.Net.Http.Json.JsonContent.Create(new { role = "viewer" }));
        Assert.That(member.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return user.GetProperty("token").GetProperty("token").GetString()!;
    }
}
