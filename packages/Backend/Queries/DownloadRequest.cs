namespace Lightdash.Net.Backend.Queries;

/// <summary>Asks for a download of a ready query's results.</summary>
public sealed class DownloadRequest
{
    /// <summary><c>csv</c> (an export with a header row, RFC 4180 quoting, UTF-8) or <c>jsonl</c> (the stored results, one JSON object per line). Default <c>csv</c>.</summary>
    public string? Type { get; init; }
}

/// <summary>Where to download the file.</summary>
public sealed class DownloadResults
{
    /// <summary>A presigned URL; anyone holding it can GET the file until it expires. JSONL of a gzip-stored result comes with <c>Content-Encoding: gzip</c>: browsers and <c>curl --compressed</c> decompress it.</summary>
    public required string FileUrl { get; init; }

    /// <summary>The file type: <c>csv</c> or <c>jsonl</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Whether rows were left out (never: the whole result is exported).</summary>
    public required bool Truncated { get; init; }

    /// <summary>When <c>fileUrl</c> stops working.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}
