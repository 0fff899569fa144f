using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.ResultsStorage.Chunks;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries.Chunks;

/// <summary>
/// Answers a ready result's chunk manifest: its index blocks grouped into chunks of about
/// <see cref="ResultsStorageOptions.ChunkTargetBytes"/>, each a ranged GET of the one stored object,
/// presigned with its range. No second copy of the result is written.
/// </summary>
public sealed class ResultChunksService(
    AsyncQueryService queries,
    IResultsStore results,
    ResultsIndexCache indexes,
    ResultsBucketClient storage,
    IOptions<ResultsStorageOptions> options,
    TimeProvider clock,
    ILogger<ResultChunksService> logger)
{
    /// <summary>The manifest of the caller's ready query, with fresh links.</summary>
    /// <exception cref="ConflictException">The query is not ready, or no results storage is configured.</exception>
    public async Task<ResultChunkManifest> GetManifestAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var query = await queries.GetReadyQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        if (!results.HasFiles)
        {
            throw new ConflictException(
                $"Chunk links need results storage (S3), and none is configured; read the whole result from GET /api/v2/projects/{projectUuid}/query/{queryUuid}/results instead.");
        }

        var source = HistoryResultSources.Of(query);
        if (source.ResultsFileName is not { } key || source.IndexBlockRows is not { } blockRows)
        {
            throw new ConflictException($"Query {queryUuid} has no stored results to link to (it ran before results storage was configured); run it again.");
        }

        var totalRows = query.TotalRowCount ?? 0;
        var index = await indexes.ReadWholeAsync(key, totalRows, blockRows, cancellationToken);
        var chunks = ResultChunkPlanner.Plan(index.Span, totalRows, blockRows, options.Value.ChunkTargetBytes);
        var expires = clock.GetUtcNow().Add(options.Value.ChunkUrlLifetime);
        var links = new ResultChunkLink[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
        {
            links[i] = await LinkAsync(key, chunks[i], expires);
        }

        logger.LogInformation("Query {QueryUuid}: manifest of {Chunks} chunks ({Rows} rows) handed out", queryUuid, chunks.Count, totalRows);
        return new ResultChunkManifest
        {
            QueryUuid = queryUuid,
            Format = "jsonl",
            Encoding = ResultsObjectKeys.CompressionOf(key) == ResultsCompression.Gzip ? "gzip" : "identity",
            Columns = source.Columns.Select(ResultColumnInfo.Of).ToList(),
            TotalRowCount = totalRows,
            TotalByteCount = ResultsIndex.ReadEntry(index.Span, (index.Length / ResultsIndex.EntrySize) - 1),
            TotalChunkCount = chunks.Count,
            Truncated = source.RowLimit is { } limit && totalRows >= limit,
            ExpiresAt = expires,
            Chunks = links,
        };
    }

    private async Task<ResultChunkLink> LinkAsync(string key, ResultChunk chunk, DateTimeOffset expires) => new()
    {
        ChunkIndex = chunk.Index,
        RowOffset = chunk.RowOffset,
        RowCount = chunk.RowCount,
        ByteCount = chunk.ByteCount,
        Url = await storage.PresignRangeAsync(key, chunk.FirstByte, chunk.FirstByte + chunk.ByteCount - 1, expires.UtcDateTime),
        HttpHeaders = new Dictionary<string, string>(StringComparer.Ordinal) { ["Range"] = chunk.RangeHeader },
        ExpiresAt = expires,
    };
}
