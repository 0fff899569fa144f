using System.Collections.Concurrent;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// A bounded pool of large working memory, kept for reuse while work runs and let go when nothing was
/// rented or returned for the releaser's quiet period (<see cref="IdleMemoryReleaser"/>).
/// </summary>
public abstract class QuietReleasedPool<T>(int maxPooled) : IReleasableMemory
    where T : class
{
    private readonly ConcurrentBag<T> _free = [];
    private long _lastUsedTicks = Environment.TickCount64;

    /// <summary>Items held free now.</summary>
    public int Pooled => _free.Count;

    /// <summary>Gives an item back (dropped when the pool is full).</summary>
    public void Return(T item)
    {
        Touch();
        if (_free.Count < maxPooled)
        {
            _free.Add(item);
        }
    }

    /// <summary>Drops the free items when none was rented or returned for <paramref name="quiet"/>; returns how many bytes were let go.</summary>
    public long ReleaseIfQuiet(TimeSpan quiet)
    {
        if (Environment.TickCount64 - Volatile.Read(ref _lastUsedTicks) < quiet.TotalMilliseconds)
        {
            return 0;
        }

        long released = 0;
        while (_free.TryTake(out var item))
        {
            released += SizeOf(item);
        }

        return released;
    }

    /// <summary>The bytes an item holds.</summary>
    protected abstract long SizeOf(T item);

    /// <summary>Takes a free item, noting the pool as used.</summary>
    protected bool TryTakeFree(out T item)
    {
        Touch();
        return _free.TryTake(out item!);
    }

    private void Touch() => Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
}
