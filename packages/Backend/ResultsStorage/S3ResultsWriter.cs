using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Streams a warehouse result into S3 as JSONL through a <see cref="PipedUpload"/>, recording the
/// byte offset of every block of rows on the way, and stores that index beside the object. When the
/// key ends in <c>.gz</c>, a second stage compresses each block into a gzip member of its own while
/// the rows are still being written, on another thread.
/// </summary>
public sealed class S3ResultsWriter(ResultsBucketClient storage, StreamingScheduler streaming, IOptions<ResultsStorageOptions> options)
{
    private const string GzipContentType = "application/gzip";

    // The first bytes of a large result copied for live pages at once: with gzip some 7,000 rows of a typical
    // table, so that page 1 is readable within a few blocks of the start (a result smaller than this is one PUT).
    private const int LiveHeadBytes = 256 * 1024;

    private readonly ResultsStorageOptions _options = options.Value;

    /// <summary>Writes every row of <paramref name="reader"/> to <paramref name="key"/>, then its index beside it.</summary>
    public async Task<StoredLocation> WriteAsync(
        IWarehouseResultReader reader, string key, CancellationToken cancellationToken, Func<string, CancellationToken, Task>? onMultipartStarted = null, StoreProgress? progress = null)
    {
        var index = new RowOffsetIndexBuilder(_options.IndexBlockRows, progress);
        var compressed = ResultsObjectKeys.CompressionOf(key) == ResultsCompression.Gzip;
        // Set once the first live copy is stored: a result small enough for one PUT has none to delete.
        var copied = new System.Runtime.CompilerServices.StrongBox<bool>();
        var live = _options.LivePageParts > 0 ? LiveUploadOf(key, index, copied) : null;
        try
        {
            var (rows, size) = await PipedUpload.RunAsync<long>(
                storage,
                streaming,
                key,
                compressed ? GzipContentType : ResultsBucketClient.JsonlContentType,
                _options.PartSizeBytes,
                (output, token) => compressed ? WriteCompressedAsync(reader, output, index, token) : WriteLinesAsync(reader, output, index, token),
                cancellationToken,
                onMultipartStarted,
                live);
            await storage.PutAsync(ResultsObjectKeys.IndexKey(key), new ReadOnlySequence<byte>(index.Encode(size)), cancellationToken, "application/octet-stream");
            return new StoredLocation(key, rows, size, index.BlockRows);
        }
        finally
        {
            if (copied.Value)
            {
                // Done or failed, the live copies have served: pages now come from the result, or not at all.
                await DeleteLiveAsync(key);
            }
        }
    }

    // Each landed part is copied beside the result, and the manifest rewritten with the blocks complete in the uploaded prefix.
    private LiveUpload LiveUploadOf(string key, RowOffsetIndexBuilder index, System.Runtime.CompilerServices.StrongBox<bool> copied) => new(
        LiveHeadBytes,
        async (head, token) =>
        {
            copied.Value = true;
            await storage.PutAsync(LiveResults.HeadKey(key), head, token, "application/octet-stream");
            await PutManifestAsync(key, index, [new LiveResults.Piece(LiveResults.HeadKey(key), head.Length)], token);
        },
        _options.LivePageParts,
        (partNumber, bytes, token) => storage.PutAsync(LiveResults.PartKey(key, partNumber), bytes, token, "application/octet-stream"),
        (partEnds, token) => PutManifestAsync(key, index, [.. partEnds.Select((end, i) => new LiveResults.Piece(LiveResults.PartKey(key, i + 1), end))], token));

    private Task PutManifestAsync(string key, RowOffsetIndexBuilder index, IReadOnlyList<LiveResults.Piece> pieces, CancellationToken cancellationToken)
    {
        var manifest = new LiveResults.Manifest(pieces, index.CompleteBlocksBefore(pieces[^1].End), index.BlockRows);
        return storage.PutAsync(LiveResults.ManifestKey(key), manifest.Encode(), cancellationToken, "application/json");
    }

    private async Task DeleteLiveAsync(string key)
    {
        try
        {
            await storage.DeleteByPrefixAsync(LiveResults.Prefix(key), CancellationToken.None);
        }
        catch (ResultsStorageException)
        {
            // Left behind, they are never read again (pages of a finished query come from its result).
        }
    }

    private static async Task<long> WriteLinesAsync(IWarehouseResultReader reader, PipeWriter output, RowOffsetIndexBuilder? index, CancellationToken cancellationToken)
    {
        var written = await JsonlRowStreamer.WriteRowsAsync(reader, output, index, cancellationToken);
        return written.Rows;
    }

    // Rows -> plain lines -> gzip members -> upload: the two stages run at once. A failing producer
    // completes the lines with its exception, which the compressor rethrows; a failing compressor
    // completes them too, and the producer stops at its next flush (or on the token).
    private async Task<long> WriteCompressedAsync(IWarehouseResultReader reader, PipeWriter output, RowOffsetIndexBuilder index, CancellationToken cancellationToken)
    {
        var lines = new Pipe(new PipeOptions(
            readerScheduler: streaming.Pipes, writerScheduler: streaming.Pipes, pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var produce = ProduceLinesAsync(reader, lines.Writer, failed.Token);
        try
        {
            await streaming.RunAsync(() => GzipBlockCompressor.CompressAsync(lines.Reader, output, index, failed.Token));
        }
        catch (Exception e)
        {
            await lines.Reader.CompleteAsync(e);
            await failed.CancelAsync();
            await produce.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            if (produce.Exception?.InnerException is { } cause and not OperationCanceledException)
            {
                ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }

        await lines.Reader.CompleteAsync();
        return await produce;
    }

    private static async Task<long> ProduceLinesAsync(IWarehouseResultReader reader, PipeWriter lines, CancellationToken cancellationToken)
    {
        try
        {
            var rows = await WriteLinesAsync(reader, lines, null, cancellationToken);
            await lines.CompleteAsync();
            return rows;
        }
        catch (Exception e)
        {
            await lines.CompleteAsync(e);
            throw;
        }
    }
}
