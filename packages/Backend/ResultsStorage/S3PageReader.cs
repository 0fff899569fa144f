using System.IO.Pipelines;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Reads one page of a stored result with at most two ranged GETs: a few bytes of the byte-offset index
/// (kept in memory after a result's first page: see <see cref="ResultsIndexCache"/>), then only the blocks of rows
/// the page covers (with gzip, whole members; hot blocks stay in memory: see <see cref="ResultsBlockCache"/>).
/// The cost follows the page, not the file.
/// </summary>
public sealed class S3PageReader(ResultsIndexCache indexes, ResultsBlockCache blocks)
{
    /// <summary>Rows <paramref name="startRow"/> to <paramref name="startRow"/> + <paramref name="count"/> (exclusive) of a ready result.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>> ReadAsync(
        ResultSource query, long startRow, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }

        var key = query.ResultsFileName ?? throw new InvalidOperationException($"Query {query.QueryUuid} is ready but has no results file.");
        var blockRows = query.IndexBlockRows ?? throw new InvalidOperationException($"Query {query.QueryUuid} has no results index.");
        var (firstEntry, endEntry) = ResultsIndex.EntriesFor(startRow, startRow + count, query.TotalRowCount ?? 0, blockRows);

        var entryCount = ResultsIndex.BlockCount(query.TotalRowCount ?? 0, blockRows) + 1;
        var entries = await indexes.ReadEntriesAsync(ResultsObjectKeys.IndexKey(key), entryCount, firstEntry, endEntry, cancellationToken);
        var firstByte = ResultsIndex.ReadEntry(entries.Span, 0);
        var endByte = ResultsIndex.ReadEntry(entries.Span, (int)(endEntry - firstEntry));

        await using var range = await blocks.OpenAsync(key, firstByte, endByte, cancellationToken);
        // Compressed results: the range starts and ends on gzip members, which decompress as one stream.
        await using var stream = StoredLines.Decode(key, range);
        var lines = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            var rows = await ResultRowParser.ReadRowsAsync(lines, startRow - (firstEntry * blockRows), count, cancellationToken);
            return rows.Count == count
                ? rows
                : throw new InvalidDataException($"Results of query {query.QueryUuid} hold {rows.Count} of the {count} rows expected at row {startRow}.");
        }
        finally
        {
            await lines.CompleteAsync();
        }
    }
}
