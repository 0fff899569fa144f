using System.Buffers;
using System.IO.Hashing;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// RFC 4180 CSV (UTF-8 without BOM, CRLF line ends, a header row; fields quoted only when they hold a
/// comma, quote or line break, quotes doubled). Raw values go from each stored JSON line to CSV bytes with
/// a <see cref="JsonLineScanner"/> and no strings in between: numbers as written, strings unescaped,
/// booleans <c>true</c>/<c>false</c>, NULL an empty field, nested JSON as its text.
/// </summary>
public sealed class CsvExportWriter(ResultsBucketClient storage, DeflatedChunks deflatedChunks)
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

        WriteHeader(columns, output);
        var rows = new RawRows(columns, spec.Formatter, output);
        return await StoredRowLines.ReadAsync(
            storage,
            spec.Source.ResultsFileName!,
            maxRows,
            line =>
            {
                rows.Write(line);
                return ValueTask.CompletedTask;
            },
            async (count, token) =>
            {
                progress(count);
                await ResultsPipe.FlushWhenFullAsync(output, token);
            },
            cancellationToken);
    }

    /// <summary>
    /// Writes the CSV of <paramref name="spec"/> gzip-compressed into <paramref name="output"/>; returns the rows and the plain size.
    /// A gzip-stored result with an index of blocks is read in one pass while chunks of blocks are decoded,
    /// written as CSV and compressed on every core at once, each chunk a deflate block appended in order to one
    /// gzip member (<see cref="GzipSingleMember"/>: browsers decode only a file's first member). Anything else
    /// is written in order through a compression stage.
    /// </summary>
    public async Task<(long Rows, long PlainBytes)> WriteCompressedAsync(ExportSpec spec, long maxRows, PipeWriter output, Action<long> progress, CancellationToken cancellationToken)
    {
        var source = spec.Source;
        var columns = source.Columns.Select(c => c.Reference).ToArray();
        if (spec.Formatter is not null || columns.Length == 0 || !DeflatedChunks.CanRead(source))
        {
            return await GzipStage.RunAsync(plain => WriteAsync(spec, maxRows, plain, progress, cancellationToken), output, cancellationToken);
        }

        var crc = new Crc32();
        var headerBytes = StartMember(columns, output, crc);
        var written = await deflatedChunks.WriteAsync(
            source, maxRows, chunk => new RawRows(columns, null, chunk).Write, output, crc, progress, cancellationToken);
        GzipSingleMember.WriteTrailer(output, crc.GetCurrentHashAsUInt32(), headerBytes + written.PlainBytes);
        return (written.Rows, headerBytes + written.PlainBytes);
    }

    /// <summary>Starts the gzip member with the CSV header row as its first block; returns the header's plain size.</summary>
    private static long StartMember(string[] columns, PipeWriter output, Crc32 crc)
    {
        var header = new ArrayBufferWriter<byte>(256);
        WriteHeader(columns, header);
        crc.Append(header.WrittenSpan);
        GzipSingleMember.WriteHeader(output);
        GzipSingleMember.CompressBlock(header.WrittenSpan, output);
        return header.WrittenCount;
    }

    private static void WriteHeader(string[] columns, IBufferWriter<byte> output)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            if (i > 0)
            {
                output.Write(","u8);
            }

            WriteField(output, Encoding.UTF8.GetBytes(columns[i]));
        }

        output.Write(CrLf);
    }

    /// <summary>
    /// Writes lines as CSV records. Its methods run once per row or value, millions of times per export:
    /// they are compiled optimized at once (a server busy compiling other code may hold them at the
    /// first tier for a long time: measured 2.9 s of CPU per million rows instead of 1.2 s).
    /// </summary>
    private sealed class RawRows(string[] columns, Func<string, JsonElement, string>? formatter, IBufferWriter<byte> output)
    {
        private readonly JsonLineScanner _scanner = new(columns, Warehouses.JsonSerialization.Encoder);
        private readonly ArrayBufferWriter<byte> _scratch = new(1024);
        private JsonLineScanner.ValueHandler? _onValue;

        /// <summary>Writes one line as a record.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Write(ReadOnlySequence<byte> line)
        {
            _scratch.ResetWrittenCount();
            if (formatter is null && _scanner.TryScan(line, _onValue ??= OnValue))
            {
                _scratch.Write(CrLf);
                output.Write(_scratch.WrittenSpan);
            }
            else
            {
                // Not of the stored shape (or formatted values asked for): parsed in full.
                WriteParsedRow(line, columns, formatter, output);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void OnValue(int column, JsonLineScanner.ValueKind kind, ReadOnlySpan<byte> value)
        {
            if (column > 0)
            {
                _scratch.Write(","u8);
            }

            switch (kind)
            {
                case JsonLineScanner.ValueKind.Scalar:
                    _scratch.Write(value);
                    break;
                case JsonLineScanner.ValueKind.Text or JsonLineScanner.ValueKind.Nested:
                    WriteField(_scratch, value);
                    break;
            }
        }
    }

    /// <summary>The general path: the line parsed, each column looked up by name (and formatted when asked).</summary>
    private static void WriteParsedRow(ReadOnlySequence<byte> line, string[] columns, Func<string, JsonElement, string>? formatter, IBufferWriter<byte> output)
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
