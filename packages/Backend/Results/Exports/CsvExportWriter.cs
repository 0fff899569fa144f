using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Backend.Clients;

namespace Lightdash.Net.Backend.Results.Exports;

/// <summary>
/// RFC 4180 CSV (UTF-8 without BOM, CRLF line ends, a header row; fields quoted only when they hold a
/// comma, quote or line break, quotes doubled). Raw values go from each stored JSON line to CSV bytes with
/// a <see cref="Utf8JsonReader"/> and no strings in between: numbers as written, strings unescaped,
/// booleans <c>true</c>/<c>false</c>, NULL an empty field, nested JSON as its text.
/// </summary>
public sealed class CsvExportWriter(ResultsBucketClient storage)
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private static readonly SearchValues<byte> Special = SearchValues.Create(",\"\r\n"u8);

    /// <summary>Writes the CSV of <paramref name="spec"/> into <paramref name="output"/>; returns the rows written.</summary>
    public async Task<long> WriteAsync(ExportSpec spec, long maxRows, PipeWriter output, Action<long> progress, CancellationToken cancellationToken)
    {
        var columns = spec.Source.Columns.Select(c => c.Reference).ToArray();
        if (columns.Length == 0)
        {
            // A result without columns (PostgreSQL allows "select from t") has nothing to write.
            return 0;
        }

        for (var i = 0; i < columns.Length; i++)
        {
            if (i > 0)
            {
                output.Write(","u8);
            }

            WriteField(output, Encoding.UTF8.GetBytes(columns[i]));
        }

        output.Write(CrLf);
        var names = columns.Select(c => Encoding.UTF8.GetBytes(c)).ToArray();
        var scratch = new ArrayBufferWriter<byte>(1024);
        return await StoredRowLines.ReadAsync(
            storage,
            spec.Source.ResultsFileName!,
            maxRows,
            line =>
            {
                if (spec.Formatter is not null || !TryWriteRawRow(line, names, output, scratch))
                {
                    WriteParsedRow(line, columns, spec.Formatter, output);
                }

                return ValueTask.CompletedTask;
            },
            async (rows, token) =>
            {
                progress(rows);
                await output.FlushAsync(token);
            },
            cancellationToken);
    }

    /// <summary>The fast path: the line's properties in column order, written as they are read. False (nothing written) when the order differs.</summary>
    private static bool TryWriteRawRow(ReadOnlySequence<byte> line, byte[][] names, PipeWriter output, ArrayBufferWriter<byte> scratch)
    {
        scratch.Clear();
        var reader = new Utf8JsonReader(line);
        reader.Read();
        for (var i = 0; i < names.Length; i++)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(names[i]))
            {
                return false;
            }

            reader.Read();
            if (i > 0)
            {
                scratch.Write(","u8);
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    if (reader.ValueIsEscaped || reader.HasValueSequence)
                    {
                        var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
                        var unescaped = ArrayPool<byte>.Shared.Rent(length);
                        var written = reader.CopyString(unescaped);
                        WriteField(scratch, unescaped.AsSpan(0, written));
                        ArrayPool<byte>.Shared.Return(unescaped);
                    }
                    else
                    {
                        WriteField(scratch, reader.ValueSpan);
                    }

                    break;
                case JsonTokenType.Number:
                    scratch.Write(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                    break;
                case JsonTokenType.True:
                    scratch.Write("true"u8);
                    break;
                case JsonTokenType.False:
                    scratch.Write("false"u8);
                    break;
                case JsonTokenType.Null:
                    break;
                default:
                    // Nested JSON: its text, quoted (it holds commas and quotes).
                    var start = reader.TokenStartIndex;
                    reader.Skip();
                    WriteField(scratch, line.Slice(start, reader.BytesConsumed - start).ToArray());
                    break;
            }
        }

        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
        {
            return false;
        }

        scratch.Write(CrLf);
        output.Write(scratch.WrittenSpan);
        return true;
    }

    /// <summary>The general path: the line parsed, each column looked up by name (and formatted when asked).</summary>
    private static void WriteParsedRow(ReadOnlySequence<byte> line, string[] columns, Func<string, JsonElement, string>? formatter, PipeWriter output)
    {
        var reader = new Utf8JsonReader(line);
        using var row = JsonDocument.ParseValue(ref reader);
        for (var i = 0; i < columns.Length; i++)
        {
            if (i > 0)
            {
                output.Write(","u8);
            }

            if (!row.RootElement.TryGetProperty(columns[i], out var value))
            {
                continue;
            }

            var text = formatter is not null && value.ValueKind != JsonValueKind.Null ? formatter(columns[i], value) : RawText(value);
            WriteField(output, Encoding.UTF8.GetBytes(text));
        }

        output.Write(CrLf);
    }

    private static string RawText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    /// <summary>One field, quoted when it holds a comma, quote or line break (quotes doubled).</summary>
    private static void WriteField(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        if (text.IndexOfAny(Special) < 0)
        {
            output.Write(text);
            return;
        }

        output.Write("\""u8);
        var rest = text;
        int quote;
        while ((quote = rest.IndexOf((byte)'"')) >= 0)
        {
            output.Write(rest[..(quote + 1)]);
            output.Write("\""u8);
            rest = rest[(quote + 1)..];
        }

        output.Write(rest);
        output.Write("\""u8);
    }
}
