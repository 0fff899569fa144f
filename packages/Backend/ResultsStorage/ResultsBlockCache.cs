using Lightdash.Net.Backend.Platform;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Keeps the stored bytes (still compressed) of recently read blocks of rows in memory, as a
/// database keeps hot pages: many viewers of one dashboard, a user paging back and forth, and every
/// poller's first page read the same blocks, and a stored result never changes. A hit saves the S3
/// round trip only; the rows are still decompressed, parsed and formatted for every request.
/// Ranges larger than <see cref="ResultsStorageOptions.BlockCacheMaxEntryBytes"/> stream from S3.
/// </summary>
public sealed class ResultsBlockCache(ResultsBucketClient storage, IOptions<ResultsStorageOptions> options) : IReleasableMemory, IDisposable
{
    private readonly ByteRangeCache _blocks = new(
        storage, options.Value.BlockCacheBytes, options.Value.BlockCacheMaxEntryBytes, TimeSpan.FromMinutes(10));

    /// <summary>The bytes <paramref name="first"/> (inclusive) to <paramref name="end"/> (exclusive) of the object at <paramref name="key"/>.</summary>
    public async Task<Stream> OpenAsync(string key, long first, long end, CancellationToken cancellationToken)
    {
        var length = end - first;
        return _blocks.Keeps(length)
            ? new MemoryStream(await _blocks.ReadAsync(key, first, (int)length, cancellationToken), writable: false)
            : await storage.OpenRangeAsync(key, first, end - 1, cancellationToken);
    }

    /// <summary>Bytes of blocks kept now.</summary>
    public long KeptBytes => _blocks.KeptBytes;

    /// <summary>Forgets the kept blocks once the instance is quiet (the next reads go to S3 again).</summary>
    public long ReleaseIfQuiet(TimeSpan quiet) => _blocks.DropAll();

    /// <inheritdoc />
    public void Dispose() => _blocks.Dispose();
}
