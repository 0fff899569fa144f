using System.Collections.Concurrent;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// The buffers of parts being uploaded (one part each, <see cref="ResultsStorageOptions.PartSizeBytes"/>):
/// reused while results stream, and let go once uploads have been quiet for a while. The shared array
/// pool kept them for the life of the process (up to eight per core and size), which held the memory of
/// the busiest moment long after it passed.
/// </summary>
public sealed class PartBufferPool : IReleasableMemory
{
    private readonly ConcurrentBag<byte[]> _free = [];
    private readonly int _maxPooled;
    private long _lastUsedTicks = Environment.TickCount64;

    /// <summary>A pool keeping at most <paramref name="maxPooled"/> free buffers.</summary>
    public PartBufferPool(int maxPooled) => _maxPooled = maxPooled;

    /// <summary>Free buffers held now.</summary>
    public int Pooled => _free.Count;

    /// <summary>A buffer of at least <paramref name="size"/> bytes.</summary>
    public byte[] Rent(int size)
    {
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        while (_free.TryTake(out var buffer))
        {
            if (buffer.Length >= size)
            {
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>(size);
    }

    /// <summary>Gives a buffer back (dropped when the pool is full).</summary>
    public void Return(byte[] buffer)
    {
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        if (_free.Count < _maxPooled)
        {
            _free.Add(buffer);
        }
    }

    /// <summary>Drops the free buffers when none was rented or returned for <paramref name="quiet"/>; returns how many bytes were let go.</summary>
    public long ReleaseIfQuiet(TimeSpan quiet)
    {
        if (Environment.TickCount64 - Volatile.Read(ref _lastUsedTicks) < quiet.TotalMilliseconds)
        {
            return 0;
        }

        long released = 0;
        while (_free.TryTake(out var buffer))
        {
            released += buffer.Length;
        }

        return released;
    }
}
