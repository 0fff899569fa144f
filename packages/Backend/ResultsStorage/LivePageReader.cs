using System.IO.Pipelines;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Reads a page of a result that is still being written, from the live copies of its uploaded parts
/// (<see cref="LiveResults"/>): the manifest says which blocks are complete; a page whose blocks all
/// are is read by ranged GETs of the part copies that hold them; any other page is not there yet.
/// </summary>
public sealed class LivePageReader(ResultsBucketClient storage, ILogger<LivePageReader> logger)
{
    /// <summary>The rows, or null when they are not all stored yet (or nothing is readable).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>?> TryReadAsync(string key, long startRow, int count, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(key, startRow, count, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Best effort: the live copies may go while they are read (the result has just been completed
            // or has failed, which the status answer says), and the S3 server may answer such a read
            // oddly. The page is then simply not there yet.
            logger.LogDebug(e, "Live page of {Key} not read", key);
            return null;
        }
    }

    private async Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>?> ReadAsync(string key, long startRow, int count, CancellationToken cancellationToken)
    {
        LiveResults.Manifest manifest;
        try
        {
            await using var stored = await storage.OpenAsync(LiveResults.ManifestKey(key), cancellationToken);
            manifest = LiveResults.Manifest.Decode(stored);
        }
        catch (ResultsStorageException)
        {
            // No manifest yet (no part has landed), or it is gone (the result is complete or failed).
            return null;
        }

        if (count <= 0 || startRow + count > manifest.Rows)
        {
            return null;
        }

        var firstBlock = (int)(startRow / manifest.BlockRows);
        var endBlock = (int)((startRow + count + manifest.BlockRows - 1) / manifest.BlockRows);
        var (from, to) = (manifest.BlockOffsets[firstBlock], manifest.BlockOffsets[endBlock]);
        var bytes = new MemoryStream();
        long pieceStart = 0;
        foreach (var piece in manifest.Pieces)
        {
            if (pieceStart >= to)
            {
                break;
            }

            if (piece.End > from)
            {
                var first = Math.Max(from, pieceStart) - pieceStart;
                var last = Math.Min(to, piece.End) - pieceStart - 1;
                await using var range = await storage.OpenRangeAsync(piece.Key, first, last, cancellationToken);
                await range.CopyToAsync(bytes, cancellationToken);
            }

            pieceStart = piece.End;
        }

        bytes.Position = 0;
        await using var stream = StoredLines.Decode(key, bytes);
        var lines = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            var rows = await ResultRowParser.ReadRowsAsync(lines, startRow - ((long)firstBlock * manifest.BlockRows), count, cancellationToken);
            return rows.Count == count ? rows : null;
        }
        finally
        {
            await lines.CompleteAsync();
        }
    }
}
