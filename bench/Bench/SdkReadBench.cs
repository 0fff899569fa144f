using System.Diagnostics;
using System.Text.Json;
using Lightdash.Net.Client;

namespace Lightdash.Net.Bench;

/// <summary>
/// The SDK's <c>ReadRowsAsync</c> over a whole stored result, from ready to the last typed row, and the
/// bench process's own memory meanwhile (it should hold about two pages whatever the size).
/// </summary>
internal static class SdkReadBench
{
    /// <summary>A row of the bench table, as the SDK maps it.</summary>
    private sealed record BenchRow(long Id, long Big, string Label, decimal Amount, DateTimeOffset Created_At, bool Flagged, JsonElement Attributes);

    public static async Task<(TimeSpan Elapsed, long Rows, long PeakGrowthBytes)> ReadAllAsync(BenchOptions options, Guid queryUuid)
    {
        using var client = new LightdashClient(new Uri(options.BaseUrl), options.Token, new LightdashClientOptions { PageSize = 5000 });
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        long peak = before;
        long rows = 0;
        decimal checksum = 0;
        var clock = Stopwatch.StartNew();
        await foreach (var row in client.ReadRowsAsync<BenchRow>(options.ProjectUuid, queryUuid))
        {
            checksum += row.Amount;
            if (++rows % 50_000 == 0)
            {
                peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64);
            }
        }

        clock.Stop();
        Console.WriteLine($"  info: sdk read {rows:N0} typed rows, amounts summing to {checksum:N2}");
        return (clock.Elapsed, rows, peak - before);
    }
}
