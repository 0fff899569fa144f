using System.Collections.Concurrent;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// The working memory of export chunks in flight (<see cref="DeflatedChunks"/>: some 16 MB each), kept
/// from one export to the next and let go once exports have been quiet for a while. Each export
/// allocating its own left tens of MB of large objects per export for the next full collection: three
/// CSV exports in a row peaked at idle + 250 MB.
/// </summary>
public sealed class ChunkMemoryPool(int maxPooled) : IReleasableMemory
{
    private readonly ConcurrentBag<ChunkMemory> _free = [];
    private long _lastUsedTicks = Environment.TickCount64;

    /// <summary>A pool keeping as many as the chunks one export runs at once on this machine, and one more.</summary>
    public ChunkMemoryPool()
        : this(Environment.ProcessorCount * 2 + 1)
    {
    }

    /// <summary>Chunk memories held free now.</summary>
    public int Pooled => _free.Count;

    /// <summary>A chunk's memory, reused when one is free.</summary>
    public ChunkMemory Rent()
    {
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        return _free.TryTake(out var memory) ? memory : new ChunkMemory();
    }

    /// <summary>Gives a chunk's memory back (kept when the pool is not full).</summary>
    public void Return(ChunkMemory memory)
    {
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        if (_free.Count < maxPooled)
        {
            _free.Add(memory);
        }
    }

    /// <inheritdoc />
    public long ReleaseIfQuiet(TimeSpan quiet)
    {
        if (Environment.TickCount64 - Volatile.Read(ref _lastUsedTicks) < quiet.TotalMilliseconds)
        {
            return 0;
        }

        long released = 0;
        while (_free.TryTake(out var memory))
        {
            released += memory.Capacity;
        }

        return released;
    }
}
