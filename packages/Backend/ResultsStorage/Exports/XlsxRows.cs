using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// Writes stored JSON lines as sheet rows of typed cells (raw values): numbers as written, dates and
/// timestamps as Excel serials with a date style, booleans, text (nested JSON as its text, clipped to what a
/// cell holds). A value its column's kind cannot hold is written as text. One instance per writer thread.
/// </summary>
public sealed class XlsxRows : IStoredValueSink
{
    private readonly ExportColumnKind[] _kinds;
    private readonly StoredRowWalker _walker;
    private readonly IBufferWriter<byte> _output;
    private readonly ArrayBufferWriter<byte> _cells = new(4096);
    private readonly (int Start, int Length)[] _spans;
    private byte[] _text = new byte[1024];

    /// <summary>Prepares a writer of rows of <paramref name="columns"/> into <paramref name="output"/>.</summary>
    public XlsxRows(IReadOnlyList<ResultColumn> columns, IBufferWriter<byte> output)
    {
        _kinds = columns.Select(c => ExportColumns.KindOf(c).Kind).ToArray();
        _walker = new StoredRowWalker(columns);
        _output = output;
        _spans = new (int, int)[columns.Count];
    }

    /// <summary>Writes one line (without its new line) as a row; cells go out in the columns' order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(ReadOnlySequence<byte> line)
    {
        _cells.ResetWrittenCount();
        _walker.Walk(line, this);
        _output.Write("<row>"u8);
        var cells = _cells.WrittenSpan;
        foreach (var (start, length) in _spans)
        {
            _output.Write(cells.Slice(start, length));
        }

        _output.Write("</row>"u8);
    }

    /// <inheritdoc />
    public void OnNull(int ordinal)
    {
        var start = _cells.WrittenCount;
        XlsxCells.WriteEmpty(_cells);
        _spans[ordinal] = (start, _cells.WrittenCount - start);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnValue(int ordinal, ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        var start = _cells.WrittenCount;
        switch (_kinds[ordinal])
        {
            case ExportColumnKind.WholeNumber or ExportColumnKind.ExactNumber or ExportColumnKind.RealNumber when reader.TokenType == JsonTokenType.Number:
                XlsxCells.WriteNumber(_cells, reader.ValueSpan);
                break;
            case ExportColumnKind.WholeNumber or ExportColumnKind.ExactNumber when StoredValueReader.TryDecimal(ref reader, out var exact):
                XlsxCells.WriteNumber(_cells, exact);
                break;
            case ExportColumnKind.RealNumber when StoredValueReader.TryDouble(ref reader, out var real) && double.IsFinite(real):
                XlsxCells.WriteNumber(_cells, real);
                break;
            case ExportColumnKind.Date when StoredValueReader.TryDate(ref reader, out var date):
                XlsxCells.WriteDate(_cells, date.ToDateTime(TimeOnly.MinValue), withTime: false);
                break;
            case ExportColumnKind.Timestamp when StoredValueReader.TryTimestamp(ref reader, out var local):
                XlsxCells.WriteDate(_cells, local, withTime: true);
                break;
            case ExportColumnKind.TimestampUtc when StoredValueReader.TryInstant(ref reader, out var instant):
                XlsxCells.WriteDate(_cells, instant, withTime: true);
                break;
            case ExportColumnKind.Boolean when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                XlsxCells.WriteBoolean(_cells, reader.TokenType == JsonTokenType.True);
                break;
            default:
                WriteText(ref reader, line);
                break;
        }

        _spans[ordinal] = (start, _cells.WrittenCount - start);
    }

    // A string's unescaped bytes without a string in between, unless it may be longer than a cell holds.
    private void WriteText(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.Length <= XlsxExportWriter.MaxCellText)
        {
            XlsxCells.WriteText(_cells, reader.ValueSpan);
            return;
        }

        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= XlsxExportWriter.MaxCellText)
        {
            if (_text.Length < reader.ValueSpan.Length)
            {
                _text = new byte[Math.Max(reader.ValueSpan.Length, _text.Length * 2)];
            }

            var length = reader.CopyString(_text);
            XlsxCells.WriteText(_cells, _text.AsSpan(0, length));
            return;
        }

        var text = StoredValueReader.Text(ref reader, line);
        XlsxCells.WriteText(_cells, Encoding.UTF8.GetBytes(text.Length > XlsxExportWriter.MaxCellText ? text[..XlsxExportWriter.MaxCellText] : text));
    }
}
