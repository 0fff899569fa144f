using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Compresses JSON lines block by block: every <c>blockRows</c> lines become one gzip member, and
/// the compressed offset of each member goes into the index. Concatenated members are one valid
/// gzip file (<c>gunzip</c> reads it whole), while a page needs only the members that hold its rows.
/// </summary>
public static class GzipBlockCompressor
{
    /// <summary>Reads <paramref name="lines"/> to its end and writes it compressed to <paramref name="output"/>; returns the compressed size.</summary>
    /// <exception cref="OperationCanceledException">The token fired, or the reader of <paramref name="output"/> stopped.</exception>
    public static async Task<long> CompressAsync(
        PipeReader lines, PipeWriter output, RowOffsetIndexBuilder index, CancellationToken cancellationToken)
    {
        await using var counted = new BufferWriterStream(output);
        GZipStream? member = null;
        long row = 0;
        try
        {
            while (true)
            {
                var read = await lines.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (!buffer.IsEmpty)
                {
                    if (member is null)
                    {
                        index.OnRowStart(row, counted.Written);
                        member = new GZipStream(counted, CompressionLevel.Fastest, leaveOpen: true);
                    }

                    // Up to the end of this block's last line, or all that was read when the block goes on.
                    var rowsLeft = index.BlockRows - (row % index.BlockRows);
                    var (take, completedRows) = TakeLines(buffer, rowsLeft);
                    foreach (var segment in buffer.Slice(0, take))
                    {
                        member.Write(segment.Span);
                    }

                    buffer = buffer.Slice(take);
                    row += completedRows;
                    if (completedRows == rowsLeft)
                    {
                        member.Dispose();
                        member = null;
                    }
                }

                lines.AdvanceTo(read.Buffer.End);
                await ResultsPipe.FlushWhenFullAsync(output, cancellationToken);

                if (read.IsCompleted)
                {
                    break;
                }
            }

            // The last, partial block's member ends here (its trailer counts in the size).
            member?.Dispose();
            member = null;
            await output.FlushAsync(cancellationToken);
            return counted.Written;
        }
        finally
        {
            member?.Dispose();
        }
    }

    // How many bytes of buffer to take: through the rowsLeft-th newline, or all of it if fewer are there.
    private static (long Take, long CompletedRows) TakeLines(ReadOnlySequence<byte> buffer, long rowsLeft)
    {
        long completed = 0;
        long consumed = 0;
        foreach (var segment in buffer)
        {
            var span = segment.Span;
            var start = 0;
            while (true)
            {
                var newline = span[start..].IndexOf(ResultsPipe.NewLine);
                if (newline < 0)
                {
                    break;
                }

                start += newline + 1;
                if (++completed == rowsLeft)
                {
                    return (consumed + start, completed);
                }
            }

            consumed += span.Length;
        }

        return (consumed, completed);
    }
}
