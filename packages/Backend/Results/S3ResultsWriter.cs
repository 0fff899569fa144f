using System.Buffers;
using Lightdash.Net.Backend.Clients;
using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Results;

/// <summary>
/// Streams a warehouse result into S3 as JSONL through a <see cref="PipedUpload"/>, recording the
/// byte offset of every block of rows on the way, and stores that index beside the object.
/// </summary>
public sealed class S3ResultsWriter(S3ResultsStorage storage, StreamingScheduler streaming, IOptions<ResultsStorageOptions> options)
{
    private readonly ResultsStorageOptions _options = options.Value;

    /// <summary>Writes every row of <paramref name="reader"/> to <paramref name="key"/>, then its index beside it.</summary>
    public async Task<StoredLocation> WriteAsync(
        IWarehouseResultReader reader, string key, CancellationToken cancellationToken, Func<string, CancellationToken, Task>? onMultipartStarted = null)
    {
        var index = new RowOffsetIndexBuilder(_options.IndexBlockRows);
        var (written, size) = await PipedUpload.RunAsync(
            storage,
            key,
            "application/jsonl",
            _options.PartSizeBytes,
            (output, token) => streaming.RunAsync(() => JsonlRowStreamer.WriteRowsAsync(reader, output, index, token), token),
            cancellationToken,
            onMultipartStarted);
        await storage.PutAsync(ResultsObjectKeys.IndexKey(key), new ReadOnlySequence<byte>(index.Encode(size)), cancellationToken, "application/octet-stream");
        return new StoredLocation(key, written.Rows, size, index.BlockRows);
    }
}
