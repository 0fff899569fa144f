using System.IO.Pipelines;
using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Results kept in S3 as JSONL (gzip-compressed by default) with a byte-offset index beside each object.</summary>
public sealed class S3ResultsStore(
    S3ResultsWriter writer,
    S3PageReader pages,
    LivePageReader livePages,
    ResultsBucketClient storage,
    ResultsIndexCache indexes,
    StoredFileDownloader downloader,
    IOptions<ResultsStorageOptions> options) : IResultsStore
{
    /// <inheritdoc />
    public string Source => "s3";

    /// <inheritdoc />
    public bool HasFiles => true;

    /// <inheritdoc />
    public Task<StoredLocation> StoreAsync(StoreTarget target, IWarehouseResultReader reader, CancellationToken cancellationToken)
    {
        var key = ResultsObjectKeys.NewResultsKey(options.Value.Prefix, target.CacheKey, options.Value.Compression);
        return writer.WriteAsync(reader, key, cancellationToken, (uploadId, token) => target.OnUploadStarted(key, uploadId, token), target.Progress);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>> ReadPageAsync(ResultSource query, long startRow, int count, CancellationToken cancellationToken) =>
        pages.ReadAsync(query, startRow, count, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>?> ReadLivePageAsync(string uploadKey, long startRow, int count, CancellationToken cancellationToken) =>
        livePages.TryReadAsync(uploadKey, startRow, count, cancellationToken);

    /// <inheritdoc />
    public async Task CopyAllAsync(ResultSource query, PipeWriter destination, CancellationToken cancellationToken)
    {
        var key = query.ResultsFileName ?? throw new InvalidOperationException($"Query {query.QueryUuid} has no results file.");
        await using var source = await StoredLines.OpenAsync(storage, key, cancellationToken);
        await source.CopyToAsync(destination, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredFileCopy?> DownloadStoredFileAsync(ResultSource query, string pathPrefix, CancellationToken cancellationToken) =>
        await downloader.DownloadAsync(query, pathPrefix, cancellationToken);

    /// <inheritdoc />
    public async Task DeleteAsync(string? fileName, CancellationToken cancellationToken)
    {
        if (fileName is not null)
        {
            await storage.DeleteAsync([fileName, ResultsObjectKeys.IndexKey(fileName)], cancellationToken);
            indexes.Forget(ResultsObjectKeys.IndexKey(fileName));
        }
    }

    /// <inheritdoc />
    public Task DeleteExportsAsync(Guid projectUuid, Guid? queryUuid, CancellationToken cancellationToken) =>
        storage.DeleteByPrefixAsync(ResultsObjectKeys.ExportsOf(options.Value.Prefix, projectUuid, queryUuid), cancellationToken);
}
