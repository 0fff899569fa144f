using System.IO.Pipelines;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Where the rows of finished queries live: in S3 (<see cref="S3ResultsStore"/>), or nowhere, to be
/// re-fetched from the warehouse (<see cref="WarehouseRefetchStore"/>). Services ask it for pages
/// without knowing which.
/// </summary>
public interface IResultsStore
{
    /// <summary>Where pages come from: <c>s3</c> or <c>warehouse</c>.</summary>
    string Source { get; }

    /// <summary>True when results are files that can be downloaded and exported.</summary>
    bool HasFiles { get; }

    /// <summary>Consumes every row of a running query and records where they are.</summary>
    Task<StoredLocation> StoreAsync(StoreTarget target, IWarehouseResultReader reader, CancellationToken cancellationToken);

    /// <summary>Rows <paramref name="startRow"/> to <paramref name="startRow"/> + <paramref name="count"/> (exclusive) of a ready query.</summary>
    Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>> ReadPageAsync(ResultSource query, long startRow, int count, CancellationToken cancellationToken);

    /// <summary>
    /// Rows of a query still being written (its upload key as recorded), when every one of them is
    /// stored already; null when they are not (yet), or when this store cannot read results early.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>?> ReadLivePageAsync(string uploadKey, long startRow, int count, CancellationToken cancellationToken);

    /// <summary>Writes the whole result as JSON lines into <paramref name="destination"/> (not completed).</summary>
    Task CopyAllAsync(ResultSource query, PipeWriter destination, CancellationToken cancellationToken);

    /// <summary>
    /// Copies a ready result's stored file, as plain JSON lines, into local files named after
    /// <paramref name="pathPrefix"/> (see <see cref="StoredFileDownloader"/>); null, writing nothing,
    /// when results are not stored as files.
    /// </summary>
    Task<StoredFileCopy?> DownloadStoredFileAsync(ResultSource query, string pathPrefix, CancellationToken cancellationToken);

    /// <summary>Deletes a stored result's files, if it has any.</summary>
    Task DeleteAsync(string? fileName, CancellationToken cancellationToken);

    /// <summary>Deletes the exports (CSV files) of one query, or of every query of the project when <paramref name="queryUuid"/> is null.</summary>
    Task DeleteExportsAsync(Guid projectUuid, Guid? queryUuid, CancellationToken cancellationToken);
}
