namespace Lightdash.Net.Bench;

/// <summary>
/// Whole results for programs: the SDK pulling every row through the chunk manifest (parallel downloads
/// straight from S3) against paging JSON through the backend and against psql's floors (row_to_json, and
/// binary COPY); the Arrow stream of the same result; the backend's memory while four clients pull.
/// </summary>
internal static class ChunkBench
{
    public static async Task RunAsync(BenchOptions options, Report report, Guid result)
    {
        var psqlJson = await Baselines.PsqlCopyAsync(options);
        var psqlBinary = await Baselines.PsqlBinaryAsync(options);
        var psqlRate = options.Rows / psqlJson.TotalSeconds;
        var binaryRate = options.Rows / psqlBinary.TotalSeconds;

        var (pagingElapsed, pagedRows) = await SdkReadBench.ReadPagesAsync(options, result);
        var pagingRate = pagedRows / pagingElapsed.TotalSeconds;
        var (chunkElapsed, chunkRows, chunkGrowth) = await SdkReadBench.ReadAllAsync(options, result);
        var chunkRate = chunkRows / chunkElapsed.TotalSeconds;
        report.Add($"manifest pull, 4 chunks at once ({chunkRows:N0} typed rows)", $"{chunkRate:N0} rows/s", $"paging JSON {pagingRate:N0} rows/s", chunkRate / pagingRate, ">= 2.0x", chunkRate / pagingRate >= 2.0);
        report.Add("manifest pull vs psql", $"{chunkRate:N0} rows/s", $"psql COPY row_to_json {psqlRate:N0} rows/s", chunkRate / psqlRate, ">= 1.0x", chunkRate / psqlRate >= 1.0);
        report.Add("manifest pull vs psql binary", $"{chunkRate:N0} rows/s", $"psql \\copy binary {binaryRate:N0} rows/s", chunkRate / binaryRate, "informational", true);
        report.Add("manifest pull client memory", $"+{chunkGrowth / 1048576.0:N0} MB", "4 chunks in flight", chunkGrowth / 1048576.0 / 64, "growth < 64 MB", chunkGrowth < 64L * 1048576);

        var (arrowElapsed, arrowRows, arrowGrowth) = await SdkReadBench.ReadArrowAsync(options, result);
        var arrowRate = arrowRows / arrowElapsed.TotalSeconds;
        report.Add($"Arrow stream ({arrowRows:N0} rows)", $"{arrowRate:N0} rows/s", $"psql COPY row_to_json {psqlRate:N0} rows/s", arrowRate / psqlRate, "informational", true);
        report.Add("Arrow stream client memory", $"+{arrowGrowth / 1048576.0:N0} MB", "one record batch", arrowGrowth / 1048576.0 / 64, "growth < 64 MB", arrowGrowth < 64L * 1048576);

        // Four programs at once, two through the manifest and two through the Arrow stream (which the backend converts).
        GC.Collect();
        await Task.Delay(500);
        var idle = ProcessMemory.ResidentBytes(options.BackendPid);
        var pulls = Task.WhenAll(
            SdkReadBench.ReadAllAsync(options, result),
            SdkReadBench.ReadAllAsync(options, result),
            SdkReadBench.ReadArrowAsync(options, result),
            SdkReadBench.ReadArrowAsync(options, result));
        var peak = await ProcessMemory.PeakWhileAsync(options.BackendPid, pulls);
        var growthMb = (peak - idle) / 1048576.0;
        report.Add("backend memory, 4 clients pulling (2 manifest, 2 Arrow)", $"+{growthMb:N0} MB (peak {peak / 1048576.0:N0} MB)", $"idle {idle / 1048576.0:N0} MB", growthMb / 150, "<= idle + 150 MB", growthMb <= 150);
    }
}
