using System.IO.Pipelines;
using System.Text.Json;
using SpreadCheetah;
using SpreadCheetah.Styling;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// An Excel workbook written as it streams (SpreadCheetah: rows go to the zip as they come, nothing is
/// kept): a header row, then typed cells (numbers, dates, timestamps, booleans, text). Formatted
/// values, when asked, are text. One sheet holds at most 1,048,576 rows; the caller reports the cut.
/// </summary>
public sealed class XlsxExportWriter(ResultsBucketClient storage)
{
    /// <summary>The longest text Excel keeps in a cell.</summary>
    public const int MaxCellText = 32_767;

    /// <summary>Writes the workbook of <paramref name="spec"/> into <paramref name="output"/>; returns the rows written.</summary>
    public async Task<long> WriteAsync(ExportSpec spec, long maxRows, PipeWriter output, Action<long> progress, CancellationToken cancellationToken)
    {
        var columns = spec.Source.Columns;
        var kinds = columns.Select(c => ExportColumns.KindOf(c).Kind).ToArray();
        // The workbook's bytes go into the pipe's buffer without flushing (a synchronous write, for example
        // while disposing after a failure, must never wait for the upload on the streaming thread); the
        // loop below flushes asynchronously after each chunk of rows.
        var stream = new BufferWriterStream(output);
        await using var spreadsheet = await Spreadsheet.CreateNewAsync(stream, cancellationToken: cancellationToken);
        await spreadsheet.StartWorksheetAsync("Results", token: cancellationToken);
        var dateStyle = spreadsheet.AddStyle(new Style { Format = NumberFormat.Standard(StandardNumberFormat.ShortDate) });
        var header = columns.Select(c => new Cell(c.Reference)).ToArray();
        await spreadsheet.AddRowAsync(header, cancellationToken);
        var cells = new Cell[columns.Count];
        var rows = await StoredRowLines.ReadAsync(
            storage,
            spec.Source.ResultsFileName!,
            maxRows,
            line =>
            {
                FillRow(line, spec, kinds, dateStyle, cells);
                return spreadsheet.AddRowAsync(cells, cancellationToken);
            },
            async (count, token) =>
            {
                progress(count);
                await ResultsPipe.FlushWhenFullAsync(output, token);
            },
            cancellationToken);
        await spreadsheet.FinishAsync(cancellationToken);
        return rows;
    }

    private static void FillRow(System.Buffers.ReadOnlySequence<byte> line, ExportSpec spec, ExportColumnKind[] kinds, StyleId dateStyle, Cell[] cells)
    {
        var reader = new Utf8JsonReader(line);
        using var row = JsonDocument.ParseValue(ref reader);
        var columns = spec.Source.Columns;
        for (var i = 0; i < cells.Length; i++)
        {
            if (!row.RootElement.TryGetProperty(columns[i].Reference, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                cells[i] = new Cell((string?)null);
                continue;
            }

            if (spec.Formatter is { } format)
            {
                cells[i] = new Cell(Clip(format(columns[i].Reference, value)));
                continue;
            }

            cells[i] = ExportColumns.Read(value, kinds[i]) switch
            {
                long integer => new Cell(integer),
                decimal exact => new Cell(exact),
                double real => new Cell(real),
                bool flag => new Cell(flag),
                DateOnly date => new Cell(date.ToDateTime(TimeOnly.MinValue), dateStyle),
                DateTime at => new Cell(at),
                var other => new Cell(Clip(other?.ToString())),
            };
        }
    }

    private static string? Clip(string? text) => text is { Length: > MaxCellText } ? text[..MaxCellText] : text;
}
