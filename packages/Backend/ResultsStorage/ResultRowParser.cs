using System.Buffers;
using System.Text.Json;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Turns one stored JSON line into a page row: each field's raw value and its text.</summary>
public static class ResultRowParser
{
    /// <summary>Parses one row object.</summary>
    public static Dictionary<string, ResultCell> Parse(ReadOnlySequence<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        var row = JsonElement.ParseValue(ref reader);
        var cells = new Dictionary<string, ResultCell>(StringComparer.Ordinal);
        foreach (var property in row.EnumerateObject())
        {
            cells[property.Name] = new ResultCell
            {
                Value = new ResultValue { Raw = property.Value, Formatted = ResultValueFormatter.Format(property.Value) },
            };
        }

        return cells;
    }

    /// <summary>Splits the next complete line off <paramref name="buffer"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
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

    /// <summary>Reads JSON lines from <paramref name="source"/>: skips <paramref name="skip"/>, then parses up to <paramref name="count"/>.</summary>
    public static async Task<List<IReadOnlyDictionary<string, ResultCell>>> ReadRowsAsync(
        System.IO.Pipelines.PipeReader source, long skip, int count, CancellationToken cancellationToken)
    {
        var rows = new List<IReadOnlyDictionary<string, ResultCell>>(count);
        while (rows.Count < count)
        {
            var read = await source.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            while (rows.Count < count && TryReadLine(ref buffer, out var line))
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                rows.Add(Parse(line));
            }

            source.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        return rows;
    }
}
