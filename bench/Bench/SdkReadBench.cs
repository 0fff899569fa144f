using System.Diagnostics;
using System.Text.Json;
using Lightdash.Net.Client;

namespace Lightdash.Net.Bench;

/// <summary>
/// The SDK reading a whole stored result, from ready to the last row: typed records through the chunk
/// manifest (<c>ReadRowsAsync</c>), pages of JSON through the backend (<c>ReadPagesAsync</c>) or Arrow
/// record batches (<c>ReadArrowAsync</c>); and the bench process's own memory meanwhile.
/// </summary>
internal static class SdkReadBench
{
    /// <summary>A row of the bench table, as the SDK maps it.</summary>
    internal sealed record BenchRow(long Id, long Big, string Label, decimal Amount, DateTimeOffset Created_At, bool Flagged, JsonElement Attributes);

    /// <summary>Typed rows through the chunk manifest, <paramref name="parallelism"/> chunks downloading at once.</summary>
    public static async Task<(TimeSpan Elapsed, long Rows, long PeakGrowthBytes)> ReadAllAsync(BenchOptions options, Guid queryUuid, int parallelism = 4)
    {
        using var client = new LightdashClient(new Uri(options.BaseUrl), options.Token, new LightdashClientOptions { PageSize = 5000, ChunkParallelism = parallelism });
        var (elapsed, rows, growth, checksum) = await MeasureAsync(async count =>
        {
            decimal sum = 0;
            await foreach (var row in client.ReadRowsAsync<BenchRow>(options.ProjectUuid, queryUuid))
            {
                sum += row.Amount;
                count();
            }

            return sum;
        });
        Console.WriteLine($"  info: sdk read {rows:N0} typed rows through the chunk manifest, amounts summing to {checksum:N2}");
        return (elapsed, rows, growth);
    }

    /// <summary>Every page of JSON through the backend (5,000 rows a page, the next one fetched while the current one is read).</summary>
    public static async Task<(TimeSpan Elapsed, long Rows)> ReadPagesAsync(BenchOptions options, Guid queryUuid)
    {
        using var client = new LightdashClient(new Uri(options.BaseUrl), options.Token, new LightdashClientOptions { PageSize = 5000 });
        var (elapsed, rows, _, _) = await MeasureAsync(async count =>
        {
            await foreach (var page in client.ReadPagesAsync(options.ProjectUuid, queryUuid))
            {
                for (var i = 0; i < page.Rows.Count; i++)
                {
                    count();
                }
            }

            return 0m;
        });
        return (elapsed, rows);
    }

    /// <summary>The Arrow stream of the whole result, as record batches.</summary>
    public static async Task<(TimeSpan Elapsed, long Rows, long PeakGrowthBytes)> ReadArrowAsync(BenchOptions options, Guid queryUuid)
    {
        using var client = new LightdashClient(new Uri(options.BaseUrl), options.Token);
        var (elapsed, rows, growth, _) = await MeasureAsync(async count =>
        {
            await foreach (var batch in client.ReadArrowAsync(options.ProjectUuid, queryUuid))
            {
                using (batch)
                {
                    for (var i = 0; i < batch.Length; i++)
                    {
                        count();
                    }
                }
            }

            return 0m;
        });
        return (elapsed, rows, growth);
    }

    /// <summary>Times <paramref name="read"/>, which calls its argument once per row; samples this process's memory every 50,000 rows.</summary>
    private static async Task<(TimeSpan Elapsed, long Rows, long PeakGrowthBytes, decimal Checksum)> MeasureAsync(Func<Action, Task<decimal>> read)
    {
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        long peak = before;
        long rows = 0;
        var clock = Stopwatch.StartNew();
        var checksum = await read(() =>
        {
            if (++rows % 50_000 == 0)
            {
                peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64);
            }
        });
        clock.Stop();
        return (clock.Elapsed, rows, Math.Max(peak, Process.GetCurrentProcess().WorkingSet64) - before, checksum);
    }
}
