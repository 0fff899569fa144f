using Lightdash.Net.Backend.Clients;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Results;

/// <summary>
/// Keeps whole byte-offset indexes of recently read results in memory (a stored result never
/// changes), so that a page costs one ranged GET of its rows instead of two. Indexes larger than
/// <see cref="ResultsStorageOptions.IndexCacheMaxEntryBytes"/> are read entry range by entry range
/// as before; the cache holds at most <see cref="ResultsStorageOptions.IndexCacheBytes"/>.
/// </summary>
public sealed class ResultsIndexCache : IDisposable
{
    private readonly S3ResultsStorage _storage;
    private readonly MemoryCache _indexes;
    private readonly long _maxEntryBytes;

    /// <summary>Creates an empty cache sized by the options.</summary>
    public ResultsIndexCache(S3ResultsStorage storage, IOptions<ResultsStorageOptions> options)
    {
        _storage = storage;
        _maxEntryBytes = options.Value.IndexCacheMaxEntryBytes;
        _indexes = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.IndexCacheBytes) });
    }

    /// <summary>
    /// Entries <paramref name="firstEntry"/> to <paramref name="lastEntry"/> (inclusive) of the index at
    /// <paramref name="indexKey"/>, which holds <paramref name="entryCount"/> entries in all.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>> ReadEntriesAsync(string indexKey, long entryCount, long firstEntry, long lastEntry, CancellationToken cancellationToken)
    {
        var from = (int)(firstEntry * ResultsIndex.EntrySize);
        var length = (int)((lastEntry - firstEntry + 1) * ResultsIndex.EntrySize);
        if (_indexes.TryGetValue(indexKey, out byte[]? cached) && cached is not null)
        {
            return cached.AsMemory(from, length);
        }

        var indexBytes = entryCount * ResultsIndex.EntrySize;
        if (indexBytes > _maxEntryBytes || _maxEntryBytes == 0)
        {
            var entries = new byte[length];
            await _storage.ReadRangeAsync(indexKey, from, entries, cancellationToken);
            return entries;
        }

        var whole = new byte[indexBytes];
        await _storage.ReadRangeAsync(indexKey, 0, whole, cancellationToken);
        _indexes.Set(indexKey, whole, new MemoryCacheEntryOptions { Size = whole.Length, SlidingExpiration = TimeSpan.FromMinutes(30) });
        return whole.AsMemory(from, length);
    }

    /// <summary>Forgets the index of a deleted result.</summary>
    public void Forget(string indexKey) => _indexes.Remove(indexKey);

    /// <inheritdoc />
    public void Dispose() => _indexes.Dispose();
}
