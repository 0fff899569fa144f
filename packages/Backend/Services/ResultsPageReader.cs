using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Lightdash.Net.Backend.Clients;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Models;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Services;

/// <summary>
/// Reads one page of a stored result with two ranged GETs: a few bytes of the byte-offset index,
/// then only the blocks of rows the page covers. The cost follows the page, not the file.
/// </summary>
public sealed class ResultsPageReader(S3ResultsStorage storage)
{
    /// <summary>Rows <paramref name="startRow"/> to <paramref name="startRow"/> + <paramref name="count"/> (exclusive) of a ready result.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>> ReadAsync(
        QueryHistoryRecord query, IReadOnlyList<ResultColumn> columns, long startRow, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }

        var key = query.ResultsFileName ?? throw new InvalidOperationException($"Query {query.QueryUuid} is ready but has no results file.");
        var blockRows = query.ResultsIndexBlockRows ?? throw new InvalidOperationException($"Query {query.QueryUuid} has no results index.");
        var (firstEntry, endEntry) = ResultsIndex.EntriesFor(startRow, startRow + count, query.TotalRowCount ?? 0, blockRows);

        var entries = new byte[(endEntry - firstEntry + 1) * ResultsIndex.EntrySize];
        await storage.ReadRangeAsync(ResultsObjectKeys.IndexKey(key), firstEntry * ResultsIndex.EntrySize, entries, cancellationToken);
        var firstByte = ResultsIndex.ReadEntry(entries, 0);
        var endByte = ResultsIndex.ReadEntry(entries, (int)(endEntry - firstEntry));

        await using var stream = await storage.OpenRangeAsync(key, firstByte, endByte - 1, cancellationToken);
        var lines = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        var skip = startRow - (firstEntry * blockRows);
        var rows = new List<IReadOnlyDictionary<string, ResultCell>>(count);
        try
        {
            while (rows.Count < count)
            {
                var read = await lines.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (rows.Count < count && TryReadLine(ref buffer, out var line))
                {
                    if (skip > 0)
                    {
                        skip--;
                        continue;
                    }

                    rows.Add(ToRow(line, columns));
                }

                lines.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            await lines.CompleteAsync();
        }

        return rows.Count == count
            ? rows
            : throw new InvalidDataException($"Results of query {query.QueryUuid} hold {rows.Count} of the {count} rows expected at row {startRow}.");
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newLine = buffer.PositionOf((byte)'\n');
        if (newLine is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newLine.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newLine.Value));
        return true;
    }

    private static Dictionary<string, ResultCell> ToRow(ReadOnlySequence<byte> line, IReadOnlyList<ResultColumn> columns)
    {
        var reader = new Utf8JsonReader(line);
        var row = JsonElement.ParseValue(ref reader);
        var cells = new Dictionary<string, ResultCell>(columns.Count, StringComparer.Ordinal);
        foreach (var property in row.EnumerateObject())
        {
            cells[property.Name] = new ResultCell
            {
                Value = new ResultValue { Raw = property.Value, Formatted = ResultValueFormatter.Format(property.Value) },
            };
        }

        return cells;
    }
}
