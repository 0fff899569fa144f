using System.IO.Pipelines;
using System.Text.Json;
using CsvHelper;
using Lightdash.Net.Backend.Clients;
using Microsoft.Extensions.Options;
using Lightdash.Net.Backend.Options;

namespace Lightdash.Net.Backend.Results;

/// <summary>
/// Turns a stored JSONL result into a CSV object (header row, RFC 4180 quoting by CsvHelper, UTF-8
/// without BOM), streaming: lines are read from S3, written as records into a pipe, and uploaded
/// part by part.
/// </summary>
public sealed class CsvExporter(ResultsBucketClient storage, StreamingScheduler streaming, IOptions<ResultsStorageOptions> options)
{
    /// <summary>Writes the CSV of a ready query to <paramref name="exportKey"/>.</summary>
    public async Task ExportAsync(ResultSource query, string exportKey, CancellationToken cancellationToken)
    {
        var columns = query.Columns.Select(c => c.Reference).ToArray();
        await PipedUpload.RunAsync(
            storage,
            streaming,
            exportKey,
            "text/csv; charset=utf-8",
            options.Value.PartSizeBytes,
            (output, token) => WriteCsvAsync(query.ResultsFileName!, columns, output, token),
            cancellationToken);
    }

    private async Task<long> WriteCsvAsync(string resultsKey, string[] columns, PipeWriter output, CancellationToken cancellationToken)
    {
        if (columns.Length == 0)
        {
            // A result without columns (PostgreSQL allows "select from t") has nothing to write.
            return 0;
        }

        await using var source = StoredLines.Decode(resultsKey, await storage.OpenAsync(resultsKey, cancellationToken));
        var lines = PipeReader.Create(source, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        await using var csv = CsvWriter.Create(output.AsStream(leaveOpen: true), CsvWriterOptions.Default, leaveOpen: false);
        foreach (var column in columns)
        {
            csv.WriteField(column);
        }

        await csv.EndRecordAsync(cancellationToken);
        long rows = 0;
        try
        {
            while (true)
            {
                var read = await lines.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (ResultRowParser.TryReadLine(ref buffer, out var line))
                {
                    var row = ParseLine(line);
                    foreach (var column in columns)
                    {
                        csv.WriteField(row.TryGetProperty(column, out var value) ? FieldText(value) : "");
                    }

                    await csv.EndRecordAsync(cancellationToken);
                    rows++;
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

        await csv.FlushAsync(cancellationToken);
        return rows;
    }

    private static JsonElement ParseLine(System.Buffers.ReadOnlySequence<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>A value as CSV text: strings as they are, null as an empty field, the rest as JSON.</summary>
    private static string FieldText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}
