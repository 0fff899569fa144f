using System.IO.Compression;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace Lightdash.Net.Client;

public sealed partial class LightdashClient
{
    private const string ArrowMediaType = "application/vnd.apache.arrow.stream";

    // Chunk links point at the results storage: a client of their own, with no token and no automatic
    // decompression (a chunk's bytes are as stored; the manifest says how they are encoded).
    private readonly Lazy<HttpClient> _chunks = new(() => new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    /// <summary>The chunk manifest of a ready query: presigned links to download its rows in parallel, straight from the storage.</summary>
    /// <exception cref="LightdashApiException">The query is not ready or no results storage is configured (409), or it does not exist (404).</exception>
    public async Task<ChunkManifest> GetChunkManifestAsync(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken = default)
    {
        var results = await SendAsync(HttpMethod.Get, $"{Project(projectUuid)}/{queryUuid}/chunks", null, cancellationToken).ConfigureAwait(false);
        return results.Deserialize<ChunkManifest>(LightdashJson.Options)!;
    }

    /// <summary>
    /// Every row of a ready query as Arrow record batches (typed columns: int64, decimal128, float64, date32,
    /// timestamp, bool, utf8), read from the whole-result stream as it arrives. Dispose each batch when done.
    /// </summary>
    /// <exception cref="LightdashApiException">The query is not ready (409), or does not exist (404).</exception>
    public async IAsyncEnumerable<RecordBatch> ReadArrowAsync(Guid projectUuid, Guid queryUuid, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(
            HttpMethod.Get, $"{Project(projectUuid)}/{queryUuid}/results", null, HttpCompletionOption.ResponseHeadersRead, cancellationToken,
            new Dictionary<string, string> { ["Accept"] = ArrowMediaType }).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new ArrowStreamReader(stream, leaveOpen: true);
            while (await reader.ReadNextRecordBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
            {
                yield return batch;
            }
        }
    }

    /// <summary>The rows of every chunk in order; the next chunks download while the current one is read.</summary>
    private async IAsyncEnumerable<T> ReadChunkedRowsAsync<T>(Guid projectUuid, ChunkManifest manifest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new Queue<Task<byte[]>>();
        var next = 0;
        var parallelism = Math.Max(1, _options.ChunkParallelism);
        try
        {
            while (next < manifest.Chunks.Count && pending.Count < parallelism)
            {
                pending.Enqueue(DownloadChunkAsync(projectUuid, manifest, next++, stop.Token));
            }

            while (pending.Count > 0)
            {
                var bytes = await pending.Dequeue().ConfigureAwait(false);
                if (next < manifest.Chunks.Count)
                {
                    pending.Enqueue(DownloadChunkAsync(projectUuid, manifest, next++, stop.Token));
                }

                await foreach (var row in RowsOfChunkAsync<T>(bytes, manifest.Encoding, cancellationToken).ConfigureAwait(false))
                {
                    yield return row;
                }
            }
        }
        finally
        {
            // The caller stopped early or a chunk failed: the downloads still running stop too.
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var download in pending)
            {
                await download.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private static async IAsyncEnumerable<T> RowsOfChunkAsync<T>(byte[] bytes, string encoding, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Stream stream = new MemoryStream(bytes, writable: false);
        if (encoding == "gzip")
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        await using (stream.ConfigureAwait(false))
        {
            await foreach (var row in Ndjson.ReadAsync<T>(stream, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
    }

    /// <summary>
    /// Downloads chunk <paramref name="index"/> with its presigned link and headers; a link refused as expired
    /// (403) is renewed once from a fresh manifest.
    /// </summary>
    private async Task<byte[]> DownloadChunkAsync(Guid projectUuid, ChunkManifest manifest, int index, CancellationToken cancellationToken)
    {
        var chunk = manifest.Chunks[index];
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, chunk.Url);
            foreach (var (name, value) in chunk.HttpHeaders)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _chunks.Value.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                return bytes.LongLength == chunk.ByteCount
                    ? bytes
                    : throw new LightdashApiException(response.StatusCode, "ChunkDownloadError", $"Chunk {index} of query {manifest.QueryUuid} is {bytes.LongLength} bytes; the manifest says {chunk.ByteCount}.");
            }

            if (response.StatusCode == HttpStatusCode.Forbidden && attempt == 0)
            {
                var renewed = await GetChunkManifestAsync(projectUuid, manifest.QueryUuid, cancellationToken).ConfigureAwait(false);
                chunk = renewed.Chunks[index];
                continue;
            }

            throw new LightdashApiException(response.StatusCode, "ChunkDownloadError", $"Chunk {index} of query {manifest.QueryUuid} answered {(int)response.StatusCode} from the results storage.");
        }
    }
}
