// RPC style: one call submits a query and waits for its first page (long-polling, no sleep loop).
using Lightdash.Net.Client;

var (url, token, project) = DemoSettings.FromEnvironment();
using var client = new LightdashClient(url, token);
var page = await client.SubmitAndWaitAsync(
    project, QueryRequest.Sql("select status, count(*) as orders from orders group by status order by status"), TimeSpan.FromMinutes(1));
foreach (var row in page.Rows)
{
    Console.WriteLine($"{row.GetProperty("status")}: {row.GetProperty("orders")}");
}

Console.WriteLine($"ok: {page.TotalResults} rows");
