using System.Buffers;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>One chunk's buffers: its stored (gzip) bytes, its decoded lines, its rows in the format, and those compressed.</summary>
public sealed class ChunkMemory
{
    private byte[] _stored = [];

    /// <summary>The decoded JSON lines.</summary>
    public ArrayBufferWriter<byte> Plain { get; } = new(4 * 1024 * 1024);

    /// <summary>The rows written in the export's format.</summary>
    public ArrayBufferWriter<byte> Formatted { get; } = new(4 * 1024 * 1024);

    /// <summary>The formatted rows compressed.</summary>
    public ArrayBufferWriter<byte> Compressed { get; } = new(1024 * 1024);

    /// <summary>Bytes held.</summary>
    public long Capacity => (long)_stored.Length + Plain.Capacity + Formatted.Capacity + Compressed.Capacity;

    /// <summary>A buffer for the chunk's stored bytes, of at least <paramref name="length"/> bytes.</summary>
    public byte[] StoredOf(int length)
    {
        if (_stored.Length < length)
        {
            _stored = GC.AllocateUninitializedArray<byte>(Math.Max(length, _stored.Length * 2));
        }

        return _stored;
    }
}
