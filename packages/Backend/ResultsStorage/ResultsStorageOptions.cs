using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>The S3 bucket (or S3-compatible server) that holds query results.</summary>
public sealed class ResultsStorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "ResultsStorage";

    /// <summary>
    /// False to run without S3: queries then only count their rows, and every page is re-fetched
    /// from the warehouse (downloads are unavailable).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a download link stays valid.</summary>
    public TimeSpan DownloadUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the links of a chunk manifest stay valid (asking for the manifest again renews them).</summary>
    public TimeSpan ChunkUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// About how many stored bytes one chunk of a chunk manifest spans (4 MiB: with gzip some 20 MB of
    /// JSON lines). A chunk is whole index blocks, so one larger block is a chunk of its own.
    /// </summary>
    [Range(1024, int.MaxValue)]
    public long ChunkTargetBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The endpoint, for example <c>http://127.0.0.1:4568</c>; empty for AWS's regional endpoint.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The AWS region (also signed by S3-compatible servers).</summary>
    [Required]
    public string Region { get; set; } = "us-east-1";

    /// <summary>The bucket.</summary>
    [Required]
    public string Bucket { get; set; } = "results";

    /// <summary>A key prefix for every object this backend writes (may be empty).</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The access key; empty to use the SDK's default credential chain.</summary>
    public string? AccessKey { get; set; }

    /// <summary>The secret key.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), needed by most S3-compatible servers.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>The size of each multipart-upload part, at least 5 MiB (S3's minimum).</summary>
    [Range(5 * 1024 * 1024, 1024 * 1024 * 1024)]
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How many of a large result's first parts are also stored as objects of their own while it is
    /// written, so that their pages can be read before the query ends (default 1: the first
    /// <see cref="PartSizeBytes"/>, some 250,000 rows of a typical table; 0 turns it off). Those bytes
    /// are uploaded twice, which is why it is not every part.
    /// </summary>
    [Range(0, 10_000)]
    public int LivePageParts { get; set; } = 1;

    /// <summary>How many parts of one result upload at once (each holds one part in memory).</summary>
    [Range(1, 16)]
    public int MaxConcurrentPartUploads { get; set; } = 3;

    /// <summary>How many rows each entry of a result's byte-offset index covers (with gzip, each such block is one gzip member).</summary>
    [Range(1, 100_000)]
    public int IndexBlockRows { get; set; } = 1000;

    /// <summary>Memory for the indexes of recently read results, in bytes (0: every page reads its index entries from S3).</summary>
    [Range(0, long.MaxValue)]
    public long IndexCacheBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>The largest index kept whole in that memory (1 MiB: results of up to 128 M rows at 1000 rows per entry).</summary>
    [Range(0, long.MaxValue)]
    public long IndexCacheMaxEntryBytes { get; set; } = 1024 * 1024;

    /// <summary>Memory for the stored bytes of recently read blocks of rows, in bytes (0: every page reads its rows from S3).</summary>
    [Range(0, long.MaxValue)]
    public long BlockCacheBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The largest range of blocks kept in that memory; larger reads stream from S3.</summary>
    [Range(0, long.MaxValue)]
    public long BlockCacheMaxEntryBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How new results are stored: <c>Gzip</c> (<c>.jsonl.gz</c>, a fifth of the bytes to upload and keep) or
    /// <c>None</c> (<c>.jsonl</c>). Results already stored stay readable whatever this says.
    /// </summary>
    public ResultsCompression Compression { get; set; } = ResultsCompression.Gzip;
}
