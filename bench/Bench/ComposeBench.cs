namespace Lightdash.Net.Bench;

/// <summary>
/// SQL composed over a stored result (loaded into the backend's embedded DuckDB from S3), against
/// DuckDB reading the same rows from a local JSON lines file; and the backend's memory meanwhile.
/// </summary>
internal static class ComposeBench
{
    private const int WarmUpRuns = 3;

    private const string Aggregate = "select count(*) as n, sum(amount) as total, count(distinct label) as labels from big";

    public static async Task RunAsync(BenchOptions options, BackendClient client, Report report, Guid source)
    {
        var idleBytes = ProcessMemory.ResidentBytes(options.BackendPid);
        var idleAnonymous = ProcessMemory.AnonymousBytes(options.BackendPid);
        var peakAnonymous = 0L;
        // The first composes after start-up load DuckDB and compile the path, and the runtime recompiles what
        // they made hot on a thread of its own for seconds after: timed apart (their memory counted), then
        // the measured runs start once the backend is quiet.
        var warmTimes = new List<double>();
        var peakBytes = 0L;
        for (var run = 0; run < WarmUpRuns; run++)
        {
            var (elapsedMs, peak, anonymous) = await ComposeOnceAsync(options, client, source);
            (peakBytes, peakAnonymous) = (Math.Max(peakBytes, peak), Math.Max(peakAnonymous, anonymous));
            warmTimes.Add(elapsedMs);
        }

        var quiet = await ProcessCpu.WaitQuietAsync(options.BackendPid, TimeSpan.FromSeconds(30));
        Console.WriteLine($"  info: first compose-sql runs after start-up {string.Join(", ", warmTimes.Select(t => $"{t:N0}"))} ms; backend quiet again after {quiet.TotalSeconds:N0} s");
        // Each side three times; the medians compared.
        var composedTimes = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var (elapsedMs, peak, anonymous) = await ComposeOnceAsync(options, client, source);
            (peakBytes, peakAnonymous) = (Math.Max(peakBytes, peak), Math.Max(peakAnonymous, anonymous));
            composedTimes.Add(elapsedMs);
        }

        var composed = TimeSpan.FromMilliseconds(Stats.Median(composedTimes));
        var local = await Baselines.DuckDbOverLocalFileAsync(options, Aggregate, runs: 3);
        Console.WriteLine($"  info: compose-sql runs {string.Join(", ", composedTimes.Select(t => $"{t:N0}"))} ms");
        report.Add(
            $"compose-sql over a stored result ({options.Rows:N0} rows, median of 3)", $"{composed.TotalMilliseconds:N0} ms", $"DuckDB over a local file {local.TotalMilliseconds:N0} ms",
            composed / local, "<= 1.5x", composed / local <= 1.5);
        var growthMb = (peakBytes - idleBytes) / 1048576.0;
        Console.WriteLine($"  info: compose-sql peak without pages of mapped files (DuckDB's code, which the kernel can drop): +{(peakAnonymous - idleAnonymous) / 1048576.0:N0} MB");
        report.Add("compose-sql memory", $"peak {peakBytes / 1048576.0:N0} MB (+{growthMb:N0} MB)", $"idle {idleBytes / 1048576.0:N0} MB", (double)peakBytes / idleBytes, "peak < idle + 150 MB", growthMb < 150);
    }

    // One composed query (a fresh one: a comment changes the cache key), with the backend's peak resident
    // size and peak size without file pages meanwhile.
    private static async Task<(double ElapsedMs, long PeakBytes, long PeakAnonymousBytes)> ComposeOnceAsync(BenchOptions options, BackendClient client, Guid source)
    {
        var compose = client.RunRouteAsync("compose-sql", new { sql = Aggregate + $" -- {Guid.NewGuid():N}", references = new { big = source } });
        var anonymous = ProcessMemory.PeakWhileAsync(options.BackendPid, compose, ProcessMemory.AnonymousBytes);
        var peak = await ProcessMemory.PeakWhileAsync(options.BackendPid, compose);
        return ((await compose).Elapsed.TotalMilliseconds, peak, await anonymous);
    }
}
