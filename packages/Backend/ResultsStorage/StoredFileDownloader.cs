using Lightdash.Net.Backend.ResultsStorage.Chunks;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>A stored result copied to local files of plain JSON lines, in row order, each readable on its own.</summary>
/// <param name="Paths">The files, in the result's order.</param>
public sealed record StoredFileCopy(IReadOnlyList<string> Paths);

/// <summary>
/// Copies a stored result into local files of plain JSON lines, each of whole index blocks (the chunks
/// of <see cref="ResultChunkPlanner"/>: with gzip each is a run of whole members, decompressed as it
/// arrives), downloaded with a few ranged GETs at once; a reader such as DuckDB then reads the files in
/// parallel. A result without an index is one file. (.NET inflates gzip faster than DuckDB's reader does,
/// and the inflating overlaps the downloads.)
/// </summary>
public sealed class StoredFileDownloader(ResultsBucketClient storage, ResultsIndexCache indexes, IOptions<ResultsStorageOptions> options)
{
    private const int ParallelDownloads = 4;

    /// <summary>Downloads <paramref name="query"/>'s stored file to <c>{pathPrefix}.{n}.jsonl</c>.</summary>
    public async Task<StoredFileCopy> DownloadAsync(ResultSource query, string pathPrefix, CancellationToken cancellationToken)
    {
        var key = query.ResultsFileName ?? throw new InvalidOperationException($"Query {query.QueryUuid} has no results file.");
        var ranges = await RangesAsync(query, key, cancellationToken);
        var paths = Enumerable.Range(0, Math.Max(ranges.Count, 1)).Select(i => $"{pathPrefix}.{i:D5}.jsonl").ToList();
        if (ranges.Count == 0)
        {
            await using var whole = await StoredLines.OpenAsync(storage, key, cancellationToken);
            await CopyToFileAsync(whole, paths[0], cancellationToken);
            return new StoredFileCopy(paths);
        }

        await Parallel.ForEachAsync(
            ranges,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelDownloads, CancellationToken = cancellationToken },
            async (chunk, token) =>
            {
                await using var part = StoredLines.Decode(key, await storage.OpenRangeAsync(key, chunk.FirstByte, chunk.FirstByte + chunk.ByteCount - 1, token));
                await CopyToFileAsync(part, paths[chunk.Index], token);
            });
        return new StoredFileCopy(paths);
    }

    // The result's chunks, or none when it has no index (or no rows) to split it by.
    private async Task<IReadOnlyList<ResultChunk>> RangesAsync(ResultSource query, string key, CancellationToken cancellationToken)
    {
        if (query.IndexBlockRows is not { } blockRows || query.TotalRowCount is not { } totalRows || totalRows == 0)
        {
            return [];
        }

        var index = await indexes.ReadWholeAsync(key, totalRows, blockRows, cancellationToken);
        return ResultChunkPlanner.Plan(index.Span, totalRows, blockRows, options.Value.ChunkTargetBytes);
    }

    private static async Task CopyToFileAsync(Stream source, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await source.CopyToAsync(file, 1 << 16, cancellationToken);
    }
}
