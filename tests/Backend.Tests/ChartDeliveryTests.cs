using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>A saved chart of the semantic layer, delivered: its metric query runs as the owner and its result is exported.</summary>
[Category(TestCategories.Integration)]
public class ChartDeliveryTests
{
    [Test]
    public async Task SavedChart_IsDeliveredWithItsMetricQuerysRows()
    {
        await using var host = await BackendHost.StartDemoShopAsync();
        using var created = await host.Client.PostAsJsonAsync($"/api/v1/projects/{host.ProjectUuid}/saved", new
        {
            name = "Revenue by status",
            metricQuery = new { exploreName = "orders", dimensions = new[] { "orders_status" }, metrics = new[] { "orders_total_revenue" }, sorts = new[] { new { fieldId = "orders_status", descending = false } } },
            chartConfig = new { type = "bar" },
        });
        var chart = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetProperty("savedChartUuid").GetGuid();
        var (status, scheduler) = await BackendHost.SendAsync(host.Client, HttpMethod.Post, $"/api/v1/projects/{host.ProjectUuid}/schedulers", new
        {
            name = "Revenue", resourceType = "chart", resourceUuid = chart, cron = "0 7 * * *", format = "parquet", enabled = false,
            targets = new[] { new { type = "s3", prefix = "revenue" } },
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), scheduler.ToString());
        var id = scheduler.GetProperty("results").GetProperty("schedulerUuid").GetGuid();

        await BackendHost.SendAsync(host.Client, HttpMethod.Post, $"/api/v1/schedulers/{id}/run");
        var clock = Stopwatch.StartNew();
        JsonElement delivery = default;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var (_, logs) = await BackendHost.SendAsync(host.Client, HttpMethod.Get, $"/api/v1/schedulers/{id}/logs");
            delivery = logs.GetProperty("results")[0];
            if (delivery.GetProperty("status").GetString() != "running")
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.That(delivery.GetProperty("status").GetString(), Is.EqualTo("delivered"), delivery.ToString());
        var file = delivery.GetProperty("files")[0];
        Assert.That(file.GetProperty("rowCount").GetInt64(), Is.EqualTo(2), "placed and shipped");
        Assert.That(await host.HistoryValueAsync<string>(file.GetProperty("queryUuid").GetGuid(), "context"), Is.EqualTo("scheduledDelivery"));
    }
}
