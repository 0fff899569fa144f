using System.Net;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>A schedule fires each occurrence once, though two backend instances share the work (Hangfire recurring jobs on PostgreSQL).</summary>
[Category(TestCategories.Integration)]
public class DeliveryScheduleTests
{
    [Test]
    public async Task Schedule_OnTwoInstances_DeliversEachOccurrenceOnce()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        await using var warehouse = await TestDatabase.CreateAsync("wh");
        await warehouse.ExecuteAsync("create table ticks (n int4); insert into ticks values (1), (2);");
        var projectUuid = Guid.NewGuid();
        var settings = BackendHost.BaseSettings(
            metadata.ServiceConnectionString, warehouse.ReaderConnectionString, TestPrefixes.New(), projectUuid, Guid.NewGuid(), Guid.NewGuid(), Path.GetTempFileName());

        // Two instances on one metadata database: a backend process of its own, and one in this process.
        var (other, address) = await ChildProcess.StartBackendAsync(settings.ToDictionary(p => p.Key, p => p.Value!));
        await using (other)
        {
            await using var host = await BackendHost.StartAsync(settings);
            var (_, chart) = await BackendHost.SendAsync(host.Client, HttpMethod.Post, $"/api/v1/projects/{projectUuid}/sqlCharts", new { name = "Ticks", sql = "select * from ticks" });
            var (status, created) = await BackendHost.SendAsync(host.Client, HttpMethod.Post, $"/api/v1/projects/{projectUuid}/schedulers", new
            {
                name = "Every three seconds",
                resourceType = "sqlChart",
                resourceUuid = chart.GetProperty("results").GetProperty("savedSqlUuid").GetGuid(),
                cron = "*/3 * * * * *",
                targets = new[] { new { type = "s3", prefix = "ticks" } },
            });
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), created.ToString());
            var schedulerUuid = created.GetProperty("results").GetProperty("schedulerUuid").GetGuid();
            using var otherClient = new HttpClient { BaseAddress = address };
            otherClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", settings["Auth:BootstrapAdmin:Token"]);
            Assert.That((await otherClient.GetAsync($"/api/v1/schedulers/{schedulerUuid}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "both instances see it");

            // Four occurrences fired (by either instance), then the schedule is paused and every delivery ends.
            const string scheduled = "select count(*) from deliveries where scheduler_uuid = @s and trigger = 'schedule'";
            await Eventually.UntilAsync(async () => await metadata.ScalarAsync<long>(scheduled, ("s", schedulerUuid)) >= 4, TimeSpan.FromSeconds(40), "four occurrences");
            await BackendHost.SendAsync(host.Client, HttpMethod.Patch, $"/api/v1/schedulers/{schedulerUuid}/enabled", new { enabled = false });
            await Eventually.UntilAsync(
                async () => await metadata.ScalarAsync<long>("select count(*) from deliveries where scheduler_uuid = @s and status = 'running'", ("s", schedulerUuid)) == 0,
                TimeSpan.FromSeconds(30),
                "every delivery ending");

            var starts = new List<DateTime>();
            await using (var connection = new Npgsql.NpgsqlConnection(metadata.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new Npgsql.NpgsqlCommand("select started_at from deliveries where scheduler_uuid = @s and trigger = 'schedule' order by started_at", connection);
                command.Parameters.AddWithValue("s", schedulerUuid);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    starts.Add(reader.GetDateTime(0));
                }
            }

            Assert.That(starts, Has.Count.GreaterThanOrEqualTo(4));
            var gaps = starts.Zip(starts.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
            Assert.That(gaps, Is.All.GreaterThan(1.5), $"no occurrence delivered twice (starts: {string.Join(", ", starts.Select(s => s.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)))})");
            var (_, logs) = await BackendHost.SendAsync(host.Client, HttpMethod.Get, $"/api/v1/schedulers/{schedulerUuid}/logs");
            Assert.That(logs.GetProperty("results").EnumerateArray().Where(d => d.GetProperty("trigger").GetString() == "schedule").Select(d => d.GetProperty("status").GetString()), Is.All.EqualTo("delivered"));
        }
    }
}
