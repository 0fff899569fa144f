using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// A zip archive written forward only, as a streamed upload needs: small entries stored whole, a large one
/// deflated as it streams (its CRC-32 and sizes in a data descriptor after its data), then the central
/// directory. No Zip64: an entry or archive of 4 GiB or more is refused rather than written wrong.
/// </summary>
public sealed class ForwardZipWriter(IBufferWriter<byte> output)
{
    private const ushort Version = 20;
    private const ushort DescriptorFollows = 1 << 3;
    private const ushort Stored = 0;
    private const ushort Deflated = 8;

    // 1980-01-01 00:00, the earliest DOS date: the archive's entries carry no time of their own.
    private const ushort DosDate = (1 << 5) | 1;

    private readonly List<Entry> _entries = [];
    private long _offset;
    private Entry? _open;

    /// <summary>Adds an entry stored as it is.</summary>
    public void AddStored(string name, ReadOnlySpan<byte> content)
    {
        var entry = new Entry(name, Stored, 0, _offset) { Crc = Crc32.HashToUInt32(content), CompressedBytes = content.Length, PlainBytes = content.Length };
        WriteLocalHeader(entry);
        Write(content);
        _entries.Add(entry);
    }

    /// <summary>Starts a deflated entry; its data is then written to the output by the caller, counted with <see cref="Counted"/>.</summary>
    public void BeginDeflated(string name)
    {
        _open = new Entry(name, Deflated, DescriptorFollows, _offset);
        WriteLocalHeader(_open);
    }

    /// <summary>Notes <paramref name="bytes"/> written to the output for the open entry by someone else.</summary>
    public void Counted(long bytes) => _offset += bytes;

    /// <summary>Ends the open entry with its data descriptor.</summary>
    public void EndDeflated(uint crc, long compressedBytes, long plainBytes)
    {
        var entry = _open ?? throw new InvalidOperationException("No deflated entry is open.");
        if (compressedBytes > uint.MaxValue || plainBytes > uint.MaxValue)
        {
            throw new InvalidOperationException($"The entry {entry.Name} would be {plainBytes:N0} bytes: over the 4 GiB a plain zip holds.");
        }

        entry.Crc = crc;
        entry.CompressedBytes = compressedBytes;
        entry.PlainBytes = plainBytes;
        Span<byte> descriptor = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[4..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[8..], (uint)compressedBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[12..], (uint)plainBytes);
        Write(descriptor);
        _entries.Add(entry);
        _open = null;
    }

    /// <summary>Writes the central directory and its end record.</summary>
    public void Finish()
    {
        var start = _offset;
        Span<byte> header = stackalloc byte[46];
        foreach (var entry in _entries)
        {
            var name = Encoding.UTF8.GetBytes(entry.Name);
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], Version);
            WriteEntryFields(header[6..], entry, name.Length);
            header[30..].Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], checked((uint)entry.Offset));
            Write(header);
            Write(name);
        }

        Span<byte> end = stackalloc byte[22];
        end.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], checked((uint)(_offset - start)));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], checked((uint)start));
        Write(end);
    }

    private void WriteLocalHeader(Entry entry)
    {
        var name = Encoding.UTF8.GetBytes(entry.Name);
        Span<byte> header = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        // The CRC and sizes are known now for a stored entry, zero for a streamed one (its descriptor says them).
        WriteEntryFields(header[4..], entry, name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], 0);
        Write(header);
        Write(name);
    }

    // The fields a local header and a central directory record share, in the same order: version needed,
    // flags, method, time, date, CRC-32, compressed and plain sizes, and the name's length (24 bytes).
    private static void WriteEntryFields(Span<byte> fields, Entry entry, int nameLength)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(fields, Version);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[2..], entry.Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[4..], entry.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[8..], DosDate);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[10..], entry.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[14..], (uint)entry.CompressedBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[18..], (uint)entry.PlainBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(fields[22..], (ushort)nameLength);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        _offset += bytes.Length;
    }

    private sealed class Entry(string name, ushort method, ushort flags, long offset)
    {
        public string Name { get; } = name;

        public ushort Method { get; } = method;

        public ushort Flags { get; } = flags;

        public long Offset { get; } = offset;

        public uint Crc { get; set; }

        public long CompressedBytes { get; set; }

        public long PlainBytes { get; set; }
    }
}
