using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Lightdash.Net.Backend.Clients;
using Lightdash.Net.Backend.Services;
using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Jobs;

/// <summary>
/// Streams a warehouse result into the results storage as JSONL: the warehouse reader writes one
/// JSON object per row into a <see cref="Pipe"/>, and the pipe's reader uploads parts as they
/// fill. The pipe pauses the warehouse side when the upload falls behind, so memory stays at a
/// couple of parts whatever the row count. Records the offset of every block of rows on the way.
/// </summary>
public sealed class JsonlResultsWriter(S3ResultsStorage storage, IOptions<ResultsStorageOptions> options)
{
    private const int FlushThresholdBytes = 64 * 1024;
    private const byte NewLine = (byte)'\n';

    private readonly ResultsStorageOptions _options = options.Value;

    /// <summary>What was written.</summary>
    /// <param name="RowCount">Rows written.</param>
    /// <param name="ByteSize">Size of the results object.</param>
    /// <param name="IndexBlockRows">Rows per index entry.</param>
    public sealed record Summary(long RowCount, long ByteSize, int IndexBlockRows);

    /// <summary>Writes every row of <paramref name="reader"/> to <paramref name="key"/>, then its index beside it.</summary>
    public async Task<Summary> WriteAsync(IWarehouseResultReader reader, string key, CancellationToken cancellationToken)
    {
        var partSize = _options.PartSizeBytes;
        var pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: partSize * 2L,
            resumeWriterThreshold: partSize,
            minimumSegmentSize: 64 * 1024,
            useSynchronizationContext: false));
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var upload = UploadAsync(key, pipe.Reader, failed);
        var produce = ProduceAsync(reader, pipe.Writer, failed);
        try
        {
            await Task.WhenAll(produce, upload);
        }
        catch
        {
            // Report the cause, not the cancellation it caused on the other side.
            if (upload.Exception?.InnerException is ResultsStorageException storageFailure)
            {
                ExceptionDispatchInfo.Throw(storageFailure);
            }

            if (produce.Exception?.InnerException is { } producerFailure and not OperationCanceledException)
            {
                ExceptionDispatchInfo.Throw(producerFailure);
            }

            throw;
        }

        var (rowCount, offsets) = await produce;
        var byteSize = await upload;
        var index = ResultsIndex.Encode(offsets, byteSize);
        await storage.PutAsync(ResultsObjectKeys.IndexKey(key), new System.Buffers.ReadOnlySequence<byte>(index), cancellationToken, "application/octet-stream");
        return new Summary(rowCount, byteSize, _options.IndexBlockRows);
    }

    private async Task<long> UploadAsync(string key, PipeReader source, CancellationTokenSource failed)
    {
        try
        {
            var size = await storage.UploadAsync(key, source, failed.Token);
            await source.CompleteAsync();
            return size;
        }
        catch (Exception e)
        {
            await source.CompleteAsync(e);
            await failed.CancelAsync();
            throw;
        }
    }

    private async Task<(long RowCount, List<long> BlockOffsets)> ProduceAsync(IWarehouseResultReader reader, PipeWriter output, CancellationTokenSource failed)
    {
        var blockRows = _options.IndexBlockRows;
        var offsets = new List<long>();
        long rows = 0;
        long bytes = 0;
        try
        {
            await using (var json = new Utf8JsonWriter(output, JsonSerialization.RowWriterOptions))
            {
                while (await reader.ReadAsync(failed.Token))
                {
                    if (rows % blockRows == 0)
                    {
                        offsets.Add(bytes);
                    }

                    reader.WriteRow(json);
                    json.Flush();
                    output.GetSpan(1)[0] = NewLine;
                    output.Advance(1);
                    bytes += json.BytesCommitted + 1;
                    json.Reset(output);
                    rows++;

                    if (output.UnflushedBytes >= FlushThresholdBytes)
                    {
                        var flush = await output.FlushAsync(failed.Token);
                        if (flush.IsCompleted || flush.IsCanceled)
                        {
                            throw new OperationCanceledException("The results upload stopped.");
                        }
                    }
                }
            }

            await output.CompleteAsync();
            return (rows, offsets);
        }
        catch (Exception e)
        {
            await output.CompleteAsync(e);
            await failed.CancelAsync();
            throw;
        }
    }
}
