// A batch: several queries submitted at once, collected when all have ended, each read as typed records.
using Lightdash.Net.Client;

var (url, token, project) = DemoSettings.FromEnvironment();
using var client = new LightdashClient(url, token);
var statuses = new[] { "placed", "shipped", "completed" };
var submitted = await client.SubmitBatchAsync(
    project, [.. statuses.Select(s => QueryRequest.Sql($"select order_id, amount from orders where status = '{s}' order by order_id"))]);
var states = await client.CollectBatchAsync(project, [.. submitted.Select(s => s.QueryUuid)], TimeSpan.FromMinutes(1));

long total = 0;
for (var i = 0; i < statuses.Length; i++)
{
    long count = 0;
    decimal amount = 0;
    await foreach (var order in client.ReadRowsAsync<Order>(project, submitted[i].QueryUuid))
    {
        count++;
        amount += order.Amount;
    }

    Console.WriteLine($"{statuses[i]}: {count} orders, {amount} in all ({states[i].Status})");
    total += count;
}

Console.WriteLine($"ok: {total} rows");

internal sealed record Order(int Order_Id, decimal Amount);
