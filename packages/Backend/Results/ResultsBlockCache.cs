using Lightdash.Net.Backend.Clients;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Results;

/// <summary>
/// Keeps the stored bytes (still compressed) of recently read blocks of rows in memory, as a
/// database keeps hot pages: many viewers of one dashboard, a user paging back and forth, and every
/// poller's first page read the same blocks, and a stored result never changes. A hit saves the S3
/// round trip only; the rows are still decompressed, parsed and formatted for every request.
/// Ranges larger than <see cref="ResultsStorageOptions.BlockCacheMaxEntryBytes"/> stream from S3.
/// </summary>
public sealed class ResultsBlockCache : IDisposable
{
    private readonly S3ResultsStorage _storage;
    private readonly MemoryCache _blocks;
    private readonly long _maxEntryBytes;

    /// <summary>Creates an empty cache sized by the options.</summary>
    public ResultsBlockCache(S3ResultsStorage storage, IOptions<ResultsStorageOptions> options)
    {
        _storage = storage;
        _maxEntryBytes = options.Value.BlockCacheBytes == 0 ? 0 : options.Value.BlockCacheMaxEntryBytes;
        _blocks = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.BlockCacheBytes) });
    }

    /// <summary>The bytes <paramref name="first"/> (inclusive) to <paramref name="end"/> (exclusive) of the object at <paramref name="key"/>.</summary>
    public async Task<Stream> OpenAsync(string key, long first, long end, CancellationToken cancellationToken)
    {
        var length = end - first;
        if (length > _maxEntryBytes)
        {
            return await _storage.OpenRangeAsync(key, first, end - 1, cancellationToken);
        }

        var cacheKey = $"{key}@{first}";
        if (!_blocks.TryGetValue(cacheKey, out byte[]? bytes) || bytes is null || bytes.Length != length)
        {
            bytes = new byte[length];
            await _storage.ReadRangeAsync(key, first, bytes, cancellationToken);
            _blocks.Set(cacheKey, bytes, new MemoryCacheEntryOptions { Size = bytes.Length, SlidingExpiration = TimeSpan.FromMinutes(10) });
        }

        return new MemoryStream(bytes, writable: false);
    }

    /// <inheritdoc />
    public void Dispose() => _blocks.Dispose();
}
