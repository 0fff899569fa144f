using Lightdash.Net.Backend.Platform;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Keeps whole byte-offset indexes of recently read results in memory (a stored result never
/// changes), so that a page costs one ranged GET of its rows instead of two. Indexes larger than
/// <see cref="ResultsStorageOptions.IndexCacheMaxEntryBytes"/> are read entry range by entry range
/// as before; the cache holds at most <see cref="ResultsStorageOptions.IndexCacheBytes"/>.
/// </summary>
public sealed class ResultsIndexCache(ResultsBucketClient storage, IOptions<ResultsStorageOptions> options) : IReleasableMemory, IDisposable
{
    private readonly ByteRangeCache _indexes = new(
        storage, options.Value.IndexCacheBytes, options.Value.IndexCacheMaxEntryBytes, TimeSpan.FromMinutes(30));

    /// <summary>
    /// Entries <paramref name="firstEntry"/> to <paramref name="lastEntry"/> (inclusive) of the index at
    /// <paramref name="indexKey"/>, which holds <paramref name="entryCount"/> entries in all.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>> ReadEntriesAsync(string indexKey, long entryCount, long firstEntry, long lastEntry, CancellationToken cancellationToken)
    {
        var from = (int)(firstEntry * ResultsIndex.EntrySize);
        var length = (int)((lastEntry - firstEntry + 1) * ResultsIndex.EntrySize);
        var indexBytes = entryCount * ResultsIndex.EntrySize;
        if (!_indexes.Keeps(indexBytes))
        {
            var entries = new byte[length];
            await storage.ReadRangeAsync(indexKey, from, entries, cancellationToken);
            return entries;
        }

        var whole = await _indexes.ReadAsync(indexKey, 0, (int)indexBytes, cancellationToken);
        return whole.AsMemory(from, length);
    }

    /// <summary>Every entry of the index of the result at <paramref name="resultsKey"/>: one per block of <paramref name="blockRows"/> rows, then its size.</summary>
    public Task<ReadOnlyMemory<byte>> ReadWholeAsync(string resultsKey, long totalRows, int blockRows, CancellationToken cancellationToken)
    {
        var entryCount = ResultsIndex.BlockCount(totalRows, blockRows) + 1;
        return ReadEntriesAsync(ResultsObjectKeys.IndexKey(resultsKey), entryCount, 0, entryCount - 1, cancellationToken);
    }

    /// <summary>Forgets the index of a deleted result.</summary>
    public void Forget(string indexKey) => _indexes.Forget(indexKey, 0);

    /// <summary>Bytes of indexes kept now.</summary>
    public long KeptBytes => _indexes.KeptBytes;

    /// <summary>Forgets the kept indexes once the instance is quiet (the next reads go to S3 again).</summary>
    public long ReleaseIfQuiet(TimeSpan quiet) => _indexes.DropAll();

    /// <inheritdoc />
    public void Dispose() => _indexes.Dispose();
}
