using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.IO.Pipelines;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// A file format's body made on every core at once: a gzip-stored result with an index of blocks is read
/// in one pass while chunks of blocks are decoded, their lines written in the format (by a row writer of
/// each chunk's own) and compressed, each chunk one raw deflate block ended by a sync flush
/// (<see cref="GzipSingleMember.CompressBlock"/>), appended to the output in order. The caller frames the
/// deflate stream (a gzip member, a zip entry) and ends it with a final block. The stored bytes are read
/// with one ranged GET, the index through <see cref="ResultsIndexCache"/>, and chunk memory comes from
/// <see cref="ChunkMemoryPool"/>.
/// </summary>
public sealed class DeflatedChunks(ResultsBucketClient storage, ResultsIndexCache indexes, ChunkMemoryPool pool)
{
    /// <summary>The result's stored form allows it: gzip blocks with an index.</summary>
    public static bool CanRead(ResultSource source) =>
        source.IndexBlockRows is not null && source.TotalRowCount is not null && source.ResultsFileName is { } key
        && ResultsObjectKeys.CompressionOf(key) == ResultsCompression.Gzip;

    /// <summary>What was appended: rows, plain bytes (also added to the CRC) and compressed bytes.</summary>
    public readonly record struct Written(long Rows, long PlainBytes, long CompressedBytes);

    /// <summary>
    /// Appends the deflate blocks of the first <paramref name="maxRows"/> rows to <paramref name="output"/>, the
    /// plain bytes added to <paramref name="crc"/> in order. <paramref name="rowWriterFor"/> makes a row writer
    /// bound to a chunk's buffer (called once per buffer, which is reused from chunk to chunk). A chunk is
    /// <paramref name="blocksPerChunk"/> stored blocks, and at most <paramref name="inFlight"/> chunks are in
    /// flight (twice the cores when not given): a format that writes more bytes per row asks for less.
    /// </summary>
    public async Task<Written> WriteAsync(
        ResultSource source,
        long maxRows,
        Func<IBufferWriter<byte>, Action<ReadOnlySequence<byte>>> rowWriterFor,
        PipeWriter output,
        Crc32 crc,
        Action<long> progress,
        CancellationToken cancellationToken,
        int blocksPerChunk = 32,
        int? inFlight = null)
    {
        var blockRows = source.IndexBlockRows!.Value;
        var neededRows = Math.Min(maxRows, source.TotalRowCount!.Value);
        var blocks = ResultsIndex.BlockCount(neededRows, blockRows);
        var written = new Written(0, 0, 0);
        if (blocks == 0)
        {
            return written;
        }

        var key = source.ResultsFileName!;
        var index = await indexes.ReadEntriesAsync(
            ResultsObjectKeys.IndexKey(key), ResultsIndex.BlockCount(source.TotalRowCount!.Value, blockRows) + 1, 0, blocks, cancellationToken);
        var maxInFlight = inFlight ?? Environment.ProcessorCount * 2;
        var running = new Queue<Task<Chunk>>();
        var free = new Stack<ChunkBuffers>();
        var rented = new List<ChunkMemory>();
        try
        {
            await using var stored = await storage.OpenRangeAsync(key, 0, ResultsIndex.ReadEntry(index.Span, (int)blocks) - 1, cancellationToken);
            for (long first = 0; first < blocks; first += blocksPerChunk)
            {
                var end = Math.Min(first + blocksPerChunk, blocks);
                var length = (int)(ResultsIndex.ReadEntry(index.Span, (int)end) - ResultsIndex.ReadEntry(index.Span, (int)first));
                var buffers = free.Count > 0 ? free.Pop() : Rent(rented, rowWriterFor);
                var compressed = buffers.StoredOf(length);
                await stored.ReadExactlyAsync(compressed.AsMemory(0, length), cancellationToken);
                var chunkRows = Math.Min(end * blockRows, neededRows) - (first * blockRows);
                running.Enqueue(Task.Run(() => Transcode(compressed, length, chunkRows, buffers), cancellationToken));
                while (running.Count > maxInFlight)
                {
                    written = await WriteNextAsync(running, free, output, crc, written, progress, cancellationToken);
                }
            }

            while (running.Count > 0)
            {
                written = await WriteNextAsync(running, free, output, crc, written, progress, cancellationToken);
            }
        }
        finally
        {
            // Every chunk has ended (written, failed or drained): their memory goes back for the next export.
            await DrainAsync(running);
            rented.ForEach(pool.Return);
        }

        return written;
    }

    private ChunkBuffers Rent(List<ChunkMemory> rented, Func<IBufferWriter<byte>, Action<ReadOnlySequence<byte>>> rowWriterFor)
    {
        rented.Add(pool.Rent());
        return new ChunkBuffers(rented[^1], rowWriterFor);
    }

    // Chunks still in flight after a failure: wait for them, so that their pooled input goes back.
    private static async Task DrainAsync(Queue<Task<Chunk>> inFlight)
    {
        foreach (var pending in inFlight)
        {
            try
            {
                await pending;
            }
            catch (Exception)
            {
                // Already failing: the first failure is the one thrown.
            }
        }
    }

    private static async Task<Written> WriteNextAsync(
        Queue<Task<Chunk>> inFlight, Stack<ChunkBuffers> free, PipeWriter output, Crc32 crc, Written written, Action<long> progress, CancellationToken cancellationToken)
    {
        var chunk = await inFlight.Dequeue();
        // The CRC of the whole file runs over each chunk's plain bytes in order, as they are appended.
        crc.Append(chunk.Buffers.Formatted.WrittenSpan);
        output.Write(chunk.Buffers.Compressed.WrittenSpan);
        free.Push(chunk.Buffers);
        written = new Written(written.Rows + chunk.Rows, written.PlainBytes + chunk.PlainBytes, written.CompressedBytes + chunk.CompressedBytes);
        progress(written.Rows);
        var flush = await output.FlushAsync(cancellationToken);
        if (flush.IsCompleted || flush.IsCanceled)
        {
            throw new OperationCanceledException("The upload of the export stopped.");
        }

        return written;
    }

    /// <summary>One chunk of blocks: decoded, written in the format (at most <paramref name="rows"/>) and compressed as one deflate block.</summary>
    private static Chunk Transcode(byte[] compressed, int length, long rows, ChunkBuffers buffers)
    {
        buffers.Plain.ResetWrittenCount();
        buffers.Formatted.ResetWrittenCount();
        buffers.Compressed.ResetWrittenCount();
        using (var gunzip = new GZipStream(new MemoryStream(compressed, 0, length), CompressionMode.Decompress))
        {
            while (true)
            {
                var read = gunzip.Read(buffers.Plain.GetSpan(256 * 1024));
                if (read == 0)
                {
                    break;
                }

                buffers.Plain.Advance(read);
            }
        }

        var lines = new ReadOnlySequence<byte>(buffers.Plain.WrittenMemory);
        long written = 0;
        while (written < rows && ResultRowParser.TryReadLine(ref lines, out var line))
        {
            buffers.WriteRow(line);
            written++;
        }

        GzipSingleMember.CompressBlock(buffers.Formatted.WrittenSpan, buffers.Compressed);
        return new Chunk(buffers, written, buffers.Formatted.WrittenCount, buffers.Compressed.WrittenCount);
    }

    /// <summary>A chunk in flight: its memory (from the pool) and the export's row writer over it.</summary>
    private sealed class ChunkBuffers(ChunkMemory memory, Func<IBufferWriter<byte>, Action<ReadOnlySequence<byte>>> rowWriterFor)
    {
        public ChunkMemory Memory { get; } = memory;

        public ArrayBufferWriter<byte> Plain => Memory.Plain;

        public ArrayBufferWriter<byte> Formatted => Memory.Formatted;

        public ArrayBufferWriter<byte> Compressed => Memory.Compressed;

        public Action<ReadOnlySequence<byte>> WriteRow { get; } = rowWriterFor(memory.Formatted);

        public byte[] StoredOf(int length) => Memory.StoredOf(length);
    }

    private sealed record Chunk(ChunkBuffers Buffers, long Rows, long PlainBytes, long CompressedBytes);
}
