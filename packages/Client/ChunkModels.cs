namespace Lightdash.Net.Client;

/// <summary>A ready result as chunks to download straight from the results storage (see <c>GET .../query/{queryUuid}/chunks</c>).</summary>
/// <param name="QueryUuid">The query.</param>
/// <param name="Format">How rows are written: <c>jsonl</c>.</param>
/// <param name="Encoding">How each chunk's bytes are encoded: <c>gzip</c> or <c>identity</c>.</param>
/// <param name="TotalRowCount">Rows in the whole result.</param>
/// <param name="TotalByteCount">Stored bytes of the whole result.</param>
/// <param name="Truncated">True when the query stopped at its row limit.</param>
/// <param name="ExpiresAt">When the links stop working.</param>
/// <param name="Chunks">The chunks, in row order.</param>
public sealed record ChunkManifest(
    Guid QueryUuid, string Format, string Encoding, long TotalRowCount, long TotalByteCount, bool Truncated, DateTimeOffset ExpiresAt, IReadOnlyList<ResultChunk> Chunks);

/// <summary>One chunk of a result and its presigned link.</summary>
/// <param name="ChunkIndex">Its place, from 0.</param>
/// <param name="RowOffset">The result's row number of its first row, from 0.</param>
/// <param name="RowCount">Rows it holds.</param>
/// <param name="ByteCount">Bytes the download returns.</param>
/// <param name="Url">The presigned URL: fetch it with <paramref name="HttpHeaders"/> and no token.</param>
/// <param name="HttpHeaders">Headers the GET must carry.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
public sealed record ResultChunk(int ChunkIndex, long RowOffset, long RowCount, long ByteCount, Uri Url, IReadOnlyDictionary<string, string> HttpHeaders, DateTimeOffset ExpiresAt);
