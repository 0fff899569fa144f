using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Deliveries;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Warehouse credentials and webhook secrets are encrypted in the metadata database: a dump shows none, and keys rotate.</summary>
[Category(TestCategories.Integration)]
public class SecretsAtRestTests
{
    private const string WebhookSecret = "webhook-signing-secret-4f1c";

    [Test]
    public async Task ADumpOfTheMetadataDatabase_RevealsNoSecret_AndAKeyRotationEncryptsThemAgain()
    {
        await using var host = await BackendHost.StartAsync();
        var readerPassword = new NpgsqlConnectionStringBuilder(host.Warehouse.ReaderConnectionString).Password!;
        var (saved, savedBody) = await BackendHost.SendAsync(host.Client, HttpMethod.Put, $"/api/v1/projects/{host.ProjectUuid}/user-credentials",
            new { user = TestServers.ReaderRole, password = readerPassword });
        Assert.That(saved, Is.EqualTo(HttpStatusCode.OK), savedBody.ToString());
        var (created, scheduler) = await BackendHost.SendAsync(host.Client, HttpMethod.Post, $"/api/v1/projects/{host.ProjectUuid}/schedulers", new
        {
            name = "Secret hook", resourceType = "sqlChart", resourceUuid = await SqlChartAsync(host), cron = "0 6 * * 1", format = "csv", enabled = false,
            targets = new[] { new { type = "webhook", url = "http://127.0.0.1:9/hook", secret = WebhookSecret } },
        });
        Assert.That(created, Is.EqualTo(HttpStatusCode.OK), scheduler.ToString());

        var dump = await DumpAsync(host.Metadata.Name);

        Assert.That(dump, Does.Not.Contain(readerPassword), "warehouse passwords");
        Assert.That(dump, Does.Not.Contain(WebhookSecret), "webhook secrets");
        Assert.That(dump, Does.Contain("ldenc:v1:"));
        var (_, page) = await BackendHost.SendAsync(host.Client, HttpMethod.Post, $"{host.QueryPath()}/sql", new { sql = "select 1 as one", waitMs = 20_000 });
        Assert.That(page.GetProperty("results").GetProperty("firstPage").GetProperty("status").GetString(), Is.EqualTo("ready"), "the backend still reads what it stored");

        // Rotation: the new key encrypts, the old one only reads until everything is encrypted again.
        var oldKey = Convert.FromBase64String(BackendHost.TestSecretsKey);
        var newKey = RandomNumberGenerator.GetBytes(32);
        var rotated = new SecretBox(newKey, [oldKey]);
        var rewrapped = await new StoredSecrets(host.Services.GetRequiredService<NpgsqlDataSource>(), rotated, host.Services.GetServices<IStoredSecretSet>(), NullLogger<StoredSecrets>.Instance).RewrapAsync(CancellationToken.None);

        Assert.That(rewrapped, Is.GreaterThanOrEqualTo(3), "connection strings, the saved login and the webhook secret");
        var onlyNewKey = new SecretBox(newKey, []);
        var connection = await host.Metadata.ScalarAsync<string>($"select warehouse_connection from projects where project_uuid = '{host.ProjectUuid}'");
        Assert.That(onlyNewKey.Unprotect(connection, ProjectStore.ConnectionColumn), Does.Contain(readerPassword));
        var targets = await host.Metadata.ScalarAsync<string>($"select targets::text from schedulers where scheduler_uuid = '{scheduler.GetProperty("results").GetProperty("schedulerUuid").GetGuid()}'");
        Assert.That(onlyNewKey.TransformSecretsInJson(targets, SchedulerStore.TargetsColumn, protect: false), Does.Contain(WebhookSecret));
        Assert.That(await new StoredSecrets(host.Services.GetRequiredService<NpgsqlDataSource>(), onlyNewKey, host.Services.GetServices<IStoredSecretSet>(), NullLogger<StoredSecrets>.Instance).RewrapAsync(CancellationToken.None), Is.Zero,
            "nothing is left under the old key");
    }

    private static async Task<Guid> SqlChartAsync(BackendHost host)
    {
        var (_, chart) = await BackendHost.SendAsync(host.Client, HttpMethod.Post, $"/api/v1/projects/{host.ProjectUuid}/sqlCharts", new { name = $"One {Guid.NewGuid():N}", sql = "select 1 as one" });
        return chart.GetProperty("results").GetProperty("savedSqlUuid").GetGuid();
    }

    // pg_dump, as an operator's backup would be taken.
    private static async Task<string> DumpAsync(string database)
    {
        var admin = new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin);
        var start = new ProcessStartInfo("pg_dump")
        {
            ArgumentList = { "--host", admin.Host!, "--port", admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--username", admin.Username!, "--data-only", database },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = admin.Password ?? "";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await error);
        return await output;
    }
}
