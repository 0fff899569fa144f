// Submit now, come back later: the query runs in the background while the program does other work;
// GetResultAsync answers null until it is ready, WaitAsync waits for the rest.
using Lightdash.Net.Client;

var (url, token, project) = DemoSettings.FromEnvironment();
using var client = new LightdashClient(url, token);
var submitted = await client.SubmitAsync(
    project, QueryRequest.Sql("select customer_id, sum(amount) as spent from orders group by customer_id order by spent desc").WithPriority(QueryPriority.Low));
Console.WriteLine($"submitted {submitted.QueryUuid} (cache hit: {submitted.CacheHit})");

var otherWork = Enumerable.Range(1, 1_000_000).Sum(i => (long)i); // the program goes on meanwhile
var page = await client.GetResultAsync(project, submitted.QueryUuid)
    ?? await client.WaitAsync(project, submitted.QueryUuid, TimeSpan.FromMinutes(1));
var top = page.Rows[0];
Console.WriteLine($"top customer {top.GetProperty("customer_id")} spent {top.GetProperty("spent")} (other work: {otherWork})");
Console.WriteLine($"ok: {page.TotalResults} rows");
