using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// The working memory of Parquet exports' row groups (<see cref="RowGroupMemory"/>: some 12 MB per set for a
/// million-row result of seven columns, two sets an export), kept from one export to the next and let go once
/// exports have been quiet for a while. Each export allocating its own left some 25 MB of large objects for the
/// next full collection: the large-object heap grew by 125 MB over four Parquet exports in a row (a peak of
/// idle + 158 MB); the runtime's shared array pools kept them too, but gave them back only a few at a time.
/// </summary>
public sealed class RowGroupMemoryPool(int maxPooled) : QuietReleasedPool<RowGroupMemory>(maxPooled)
{
    /// <summary>A pool keeping the two sets of as many Parquet exports as there are cores.</summary>
    public RowGroupMemoryPool()
        : this(Environment.ProcessorCount * 2)
    {
    }

    /// <summary>A set's memory, reused when one is free.</summary>
    public RowGroupMemory Rent() => TryTakeFree(out var memory) ? memory : new RowGroupMemory();

    /// <inheritdoc />
    protected override long SizeOf(RowGroupMemory item) => item.Capacity;
}
