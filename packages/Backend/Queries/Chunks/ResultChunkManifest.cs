namespace Lightdash.Net.Backend.Queries.Chunks;

/// <summary>
/// A ready result as chunks that a program downloads straight from the results storage, in parallel,
/// with no token: each link is presigned and expires. Asking again renews the links.
/// </summary>
public sealed class ResultChunkManifest
{
    /// <summary>The query's id.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>
    /// How each chunk's rows are written: <c>jsonl</c>, one JSON object per row keyed by field id, each line
    /// ending in a new line, exactly as <c>GET .../results</c> streams them.
    /// </summary>
    public required string Format { get; init; }

    /// <summary>
    /// How each chunk's bytes are encoded: <c>gzip</c> (each chunk is a complete gzip file; decompress it)
    /// or <c>identity</c> (plain). The response carries no <c>Content-Encoding</c>: the bytes are as stored.
    /// </summary>
    public required string Encoding { get; init; }

    /// <summary>The result's columns, in order.</summary>
    public required IReadOnlyList<ResultColumnInfo> Columns { get; init; }

    /// <summary>Rows in the whole result: the sum of the chunks' <c>rowCount</c>.</summary>
    public required long TotalRowCount { get; init; }

    /// <summary>Stored bytes of the whole result: the sum of the chunks' <c>byteCount</c>.</summary>
    public required long TotalByteCount { get; init; }

    /// <summary>How many chunks there are (0 for an empty result).</summary>
    public required int TotalChunkCount { get; init; }

    /// <summary>True when the query stopped at its row limit: the warehouse may hold more rows than these.</summary>
    public required bool Truncated { get; init; }

    /// <summary>When every link of this manifest stops working (UTC).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The chunks, in row order.</summary>
    public required IReadOnlyList<ResultChunkLink> Chunks { get; init; }
}

/// <summary>One chunk of a result and the link that downloads it.</summary>
public sealed class ResultChunkLink
{
    /// <summary>Its place in the result, from 0.</summary>
    public required int ChunkIndex { get; init; }

    /// <summary>The result's row number of its first row, from 0.</summary>
    public required long RowOffset { get; init; }

    /// <summary>How many rows it holds.</summary>
    public required long RowCount { get; init; }

    /// <summary>How many bytes the download returns (before decoding <c>encoding</c>).</summary>
    public required long ByteCount { get; init; }

    /// <summary>
    /// A presigned GET URL of the chunk. Send it with exactly the headers of <c>httpHeaders</c> and
    /// nothing else of yours: never the Lightdash token.
    /// </summary>
    public required string Url { get; init; }

    /// <summary>Headers the GET must carry (a <c>Range</c>, which the URL's signature covers).</summary>
    public required IReadOnlyDictionary<string, string> HttpHeaders { get; init; }

    /// <summary>When the link stops working (UTC).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}
