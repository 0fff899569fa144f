using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// The working memory of export chunks in flight (<see cref="DeflatedChunks"/>: some 16 MB each), kept
/// from one export to the next and let go once exports have been quiet for a while. Each export
/// allocating its own left tens of MB of large objects per export for the next full collection: three
/// CSV exports in a row peaked at idle + 250 MB.
/// </summary>
public sealed class ChunkMemoryPool(int maxPooled) : QuietReleasedPool<ChunkMemory>(maxPooled)
{
    /// <summary>A pool keeping as many as the chunks one export runs at once on this machine, and one more.</summary>
    public ChunkMemoryPool()
        : this(Environment.ProcessorCount * 2 + 1)
    {
    }

    /// <summary>A chunk's memory, reused when one is free.</summary>
    public ChunkMemory Rent() => TryTakeFree(out var memory) ? memory : new ChunkMemory();

    /// <inheritdoc />
    protected override long SizeOf(ChunkMemory item) => item.Capacity;
}
