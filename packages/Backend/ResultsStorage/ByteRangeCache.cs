using Microsoft.Extensions.Caching.Memory;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Byte ranges of stored objects kept in memory, least recently used out first. Stored results never
/// change and their keys are never reused, so an entry needs no invalidation, only room; all of it goes
/// when the instance is quiet (<see cref="DropAll"/>), as hot pages are hot only while someone reads.
/// </summary>
public sealed class ByteRangeCache(ResultsBucketClient storage, long capacityBytes, long maxEntryBytes, TimeSpan idleLifetime) : IDisposable
{
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, capacityBytes), TrackStatistics = true });

    /// <summary>Bytes kept now.</summary>
    public long KeptBytes => _entries.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    /// <summary>Whether a range of <paramref name="length"/> bytes is kept (else the caller reads it from S3 itself).</summary>
    public bool Keeps(long length) => capacityBytes > 0 && length <= maxEntryBytes;

    /// <summary>The bytes <paramref name="first"/> to <paramref name="first"/> + <paramref name="length"/> (exclusive) of <paramref name="key"/>: from memory, or read from S3 and kept.</summary>
    public async Task<byte[]> ReadAsync(string key, long first, int length, CancellationToken cancellationToken)
    {
        var entryKey = $"{key}@{first}";
        if (_entries.TryGetValue(entryKey, out byte[]? bytes) && bytes is not null && bytes.Length == length)
        {
            return bytes;
        }

        bytes = new byte[length];
        await storage.ReadRangeAsync(key, first, bytes, cancellationToken);
        _entries.Set(entryKey, bytes, new MemoryCacheEntryOptions { Size = length, SlidingExpiration = idleLifetime });
        return bytes;
    }

    /// <summary>Forgets the range of <paramref name="key"/> that starts at <paramref name="first"/>.</summary>
    public void Forget(string key, long first) => _entries.Remove($"{key}@{first}");

    /// <summary>Forgets every range; returns the bytes that were kept.</summary>
    public long DropAll()
    {
        var kept = KeptBytes;
        _entries.Compact(1.0);
        return kept;
    }

    /// <inheritdoc />
    public void Dispose() => _entries.Dispose();
}
