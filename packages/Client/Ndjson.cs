using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Lightdash.Net.Client;

/// <summary>JSON lines read from a stream as they arrive: one pooled buffer, each line deserialized where it lies.</summary>
internal static class Ndjson
{
    private const int InitialBuffer = 64 * 1024;

    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                int newline;
                while ((newline = Array.IndexOf(buffer, (byte)'\n', start, end - start)) >= 0)
                {
                    if (newline > start)
                    {
                        yield return Parse<T>(buffer, start, newline - start);
                    }

                    start = newline + 1;
                }

                (buffer, start, end) = Compact(buffer, start, end);
                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    if (end > start)
                    {
                        yield return Parse<T>(buffer, start, end - start);
                    }

                    yield break;
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static T Parse<T>(byte[] buffer, int start, int length) =>
        JsonSerializer.Deserialize<T>(buffer.AsSpan(start, length), LightdashJson.Options)!;

    // Moves the unread part to the front; a line longer than the buffer gets a buffer twice as large.
    private static (byte[] Buffer, int Start, int End) Compact(byte[] buffer, int start, int end)
    {
        var pending = end - start;
        if (pending == buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            Buffer.BlockCopy(buffer, start, larger, 0, pending);
            ArrayPool<byte>.Shared.Return(buffer);
            return (larger, 0, pending);
        }

        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, pending);
        }

        return (buffer, 0, pending);
    }
}
