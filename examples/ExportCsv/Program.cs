// A large result streamed into a CSV file: rows are read page by page (the next page fetched while this
// one is written), so memory stays the size of a page or two whatever the size of the result.
using System.Globalization;
using System.Text.Json;
using Lightdash.Net.Client;

var (url, token, project) = DemoSettings.FromEnvironment();
var path = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "orders.csv");
using var client = new LightdashClient(url, token);
var first = await client.SubmitAndWaitAsync(project, QueryRequest.Sql("select * from orders order by order_id"), TimeSpan.FromMinutes(5));

await using var file = new StreamWriter(path);
var columns = first.Columns.Keys.ToList();
await file.WriteLineAsync(string.Join(",", columns.Select(Csv.Quote)));
long rows = 0;
await foreach (var row in client.ReadRowsAsync<JsonElement>(project, first.QueryUuid))
{
    await file.WriteLineAsync(string.Join(",", columns.Select(c => Csv.Quote(Csv.Text(row.GetProperty(c))))));
    rows++;
}

Console.WriteLine($"ok: {rows} rows written to {path}");

internal static class Csv
{
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "",
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    public static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
