namespace Lightdash.Net.Bench;

/// <summary>
/// Export jobs of a stored result (schedule-download, polled to completed) in every format, against psql
/// writing the same rows as CSV; the backend's peak memory for each. The machine's timings vary from run to
/// run by a third: each side runs three times and the medians are compared.
/// </summary>
internal static class ExportBench
{
    private const int Runs = 3;

    public static async Task RunAsync(BenchOptions options, BackendClient client, Report report, Guid source)
    {
        var psqlTimes = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            psqlTimes.Add((await Baselines.PsqlCsvAsync(options)).TotalMilliseconds);
        }

        var psqlCsv = TimeSpan.FromMilliseconds(Stats.Median(psqlTimes));
        Console.WriteLine($"  info: psql \\copy csv runs {string.Join(", ", psqlTimes.Select(t => $"{t:N0}"))} ms");

        foreach (var type in new[] { "csv", "jsonl", "xlsx", "parquet" })
        {
            // The first export of a format after start-up pays for compiling its row loop: reported apart, just
            // before the measured runs (not all first: the runtime's compiling and collecting after one format's
            // first run then lands in the next format's figures).
            var (coldElapsed, _, _) = await client.ExportAsync(source, type);
            var quiet = await ProcessCpu.WaitQuietAsync(options.BackendPid, TimeSpan.FromSeconds(30));
            Console.WriteLine($"  info: first {type} export after start-up (JIT warming): {coldElapsed.TotalMilliseconds:N0} ms = {coldElapsed / psqlCsv:N2}x psql csv; backend quiet again after {quiet.TotalSeconds:N0} s");
            await MeasureAsync(options, client, report, source, type, psqlCsv);
        }
    }

    private static async Task MeasureAsync(BenchOptions options, BackendClient client, Report report, Guid source, string type, TimeSpan psqlCsv)
    {
        var idleBytes = ProcessMemory.ResidentBytes(options.BackendPid);
        var cpuBefore = ProcessCpu.Snapshot(options.BackendPid);
        var (times, peakBytes, rows, bytes) = (new List<double>(), 0L, 0L, 0L);
        for (var run = 0; run < Runs; run++)
        {
            var export = client.ExportAsync(source, type);
            peakBytes = Math.Max(peakBytes, await ProcessMemory.PeakWhileAsync(options.BackendPid, export));
            var (elapsed, exportedRows, exportedBytes) = await export;
            (rows, bytes) = (exportedRows, exportedBytes);
            times.Add(elapsed.TotalMilliseconds);
        }

        var median = TimeSpan.FromMilliseconds(Stats.Median(times));
        Console.WriteLine(
            $"  info: {type} export: {rows:N0} rows, {bytes / 1048576.0:N0} MB, runs {string.Join(", ", times.Select(t => $"{t:N0}"))} ms; "
            + $"backend CPU for the {Runs} runs {ProcessCpu.Describe(cpuBefore, ProcessCpu.Snapshot(options.BackendPid))}");
        var label = $"{type.ToUpperInvariant()} export job ({rows:N0} rows, median of {Runs})";
        if (type == "csv")
        {
            var ratio = psqlCsv / median;
            report.Add(label, $"{rows / median.TotalSeconds:N0} rows/s", $"psql \\copy csv {options.Rows / psqlCsv.TotalSeconds:N0} rows/s", ratio, ">= 1.0x", ratio >= 1.0);
        }
        else
        {
            var spreadsheet = type is "xlsx" or "parquet";
            report.Add(label, $"{median.TotalMilliseconds:N0} ms", $"psql \\copy csv {psqlCsv.TotalMilliseconds:N0} ms", median / psqlCsv, spreadsheet ? "<= 1.5x" : "informational", !spreadsheet || median / psqlCsv <= 1.5);
        }

        var growthMb = (peakBytes - idleBytes) / 1048576.0;
        report.Add($"{type.ToUpperInvariant()} export memory", $"peak {peakBytes / 1048576.0:N0} MB (+{growthMb:N0} MB)", $"idle {idleBytes / 1048576.0:N0} MB", (double)peakBytes / idleBytes, "peak < idle + 150 MB", growthMb < 150);
    }
}
