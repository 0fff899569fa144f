using System.Net.Http.Json;
using System.Text.Json;
using Lightdash.Net.Client;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// One person of the load test, through the SDK against the api instance: short SQL queries, a
/// dashboard of two slower tiles at once, a CSV export of their last result, and a statement, with a
/// short pause between actions, until the deadline. Checks each answer's rows as it goes.
/// </summary>
public sealed class LoadUser(int number, LightdashClient client, Guid projectUuid, string nonce)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    /// <summary>The user's number (their SQL names it).</summary>
    public int Number { get; } = number;

    /// <summary>Actions done.</summary>
    public int Actions { get; private set; }

    /// <summary>A new member of the project with <paramref name="role"/>; returns their token.</summary>
    public static async Task<string> CreateMemberAsync(HttpClient admin, Guid projectUuid, string email, string role)
    {
        using var created = await admin.PostAsJsonAsync("/api/v1/users", new { email });
        var results = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
        using var member = await admin.PutAsJsonAsync($"/api/v1/projects/{projectUuid}/access/{results.GetProperty("user").GetProperty("userUuid").GetGuid()}", new { role });
        member.EnsureSuccessStatusCode();
        return results.GetProperty("token").GetProperty("token").GetString()!;
    }

    /// <summary>Acts until <paramref name="deadline"/>, then returns; throws on any wrong answer.</summary>
    public async Task RunAsync(DateTime deadline)
    {
        var random = new Random(Number);
        Guid? lastReady = null;
        for (var step = 0; DateTime.UtcNow < deadline; step++, Actions++)
        {
            switch (step % 6)
            {
                case 2:
                    await DashboardAsync(step);
                    break;
                case 4 when lastReady is { } source:
                    await ExportAsync(source);
                    break;
                case 5:
                    await StatementAsync(step);
                    break;
                default:
                    lastReady = await ShortQueryAsync(step);
                    break;
            }

            await Task.Delay(random.Next(100, 400));
        }
    }

    private async Task<Guid> ShortQueryAsync(int step)
    {
        var page = await client.SubmitAndWaitAsync(projectUuid, QueryRequest.Sql($"select {Number} as user_number, g from generate_series(1, 50) g -- {nonce} {step}"), Patience);
        Expect(page.TotalResults == 50, $"a short query answered {page.TotalResults} rows");
        return page.QueryUuid;
    }

    // Two tiles submitted at once, then both awaited: the project's warehouse cap meets them.
    private async Task DashboardAsync(int step)
    {
        var tiles = await Task.WhenAll(Enumerable.Range(0, 2).Select(tile =>
            client.SubmitAsync(projectUuid, QueryRequest.Sql($"select pg_sleep(0.4) as slept, {Number} as user_number, {tile} as tile -- {nonce} {step}"))));
        foreach (var tile in tiles)
        {
            var page = await client.WaitAsync(projectUuid, tile.QueryUuid, Patience);
            Expect(page.TotalResults == 1, $"a tile answered {page.TotalResults} rows");
        }
    }

    private async Task ExportAsync(Guid source)
    {
        var job = await client.ScheduleDownloadAsync(projectUuid, source, "csv");
        using var file = new MemoryStream();
        await client.DownloadExportAsync(job, file, Patience);
        var lines = System.Text.Encoding.UTF8.GetString(file.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Expect(lines.Length == 51, $"an export held {lines.Length} lines");
    }

    private async Task StatementAsync(int step)
    {
        var result = await client.ExecuteStatementAsync(projectUuid, $"select {Number} as user_number, {step} as step -- {nonce}", timeoutSeconds: 10);
        if (!result.Done)
        {
            // Still running when the server stopped waiting (it may have been on the killed instance): its
            // handle is its query's id, so wait with the query's long poll, then read the answer.
            await client.WaitAsync(projectUuid, result.StatementHandle, Patience);
            result = await client.GetStatementPartitionAsync(result.StatementHandle);
        }

        Expect(
            result.Done && result.Rows.Count == 1 && result.Rows[0][1] == step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"a statement's answer (done {result.Done}, {result.Rows.Count} rows)");
    }

    private void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"User {Number}: {what}");
        }
    }
}
