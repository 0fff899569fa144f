using System.Buffers;
using System.IO.Pipelines;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>JSON lines as stored (one object per row, raw values), decompressed: any JSON lines reader opens the file.</summary>
public sealed class JsonlExportWriter(ResultsBucketClient storage)
{
    /// <summary>Copies the stored lines of <paramref name="spec"/> into <paramref name="output"/>; returns the rows written.</summary>
    public Task<long> WriteAsync(ExportSpec spec, long maxRows, PipeWriter output, Action<long> progress, CancellationToken cancellationToken) =>
        StoredRowLines.ReadAsync(
            storage,
            spec.Source.ResultsFileName!,
            maxRows,
            line =>
            {
                foreach (var segment in line)
                {
                    output.Write(segment.Span);
                }

                output.Write("\n"u8);
                return ValueTask.CompletedTask;
            },
            async (rows, token) =>
            {
                progress(rows);
                await output.FlushAsync(token);
            },
            cancellationToken);
}
