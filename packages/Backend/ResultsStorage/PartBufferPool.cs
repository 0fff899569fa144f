using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// The buffers of parts being uploaded (one part each, <see cref="ResultsStorageOptions.PartSizeBytes"/>):
/// reused while results stream, and let go once uploads have been quiet for a while. The shared array
/// pool kept them for the life of the process (up to eight per core and size), which held the memory of
/// the busiest moment long after it passed.
/// </summary>
public sealed class PartBufferPool(int maxPooled) : QuietReleasedPool<byte[]>(maxPooled)
{
    /// <summary>A buffer of at least <paramref name="size"/> bytes.</summary>
    public byte[] Rent(int size)
    {
        while (TryTakeFree(out var buffer))
        {
            if (buffer.Length >= size)
            {
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>(size);
    }

    /// <inheritdoc />
    protected override long SizeOf(byte[] item) => item.Length;
}
