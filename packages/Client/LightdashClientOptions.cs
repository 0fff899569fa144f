namespace Lightdash.Net.Client;

/// <summary>How a <see cref="LightdashClient"/> behaves: retries, page sizes and waits.</summary>
public sealed class LightdashClientOptions
{
    /// <summary>How many times a request answered 429 or 503 (or not answered) is tried again; 0 turns retries off. Default 5.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay; each next one doubles, with jitter, up to <see cref="MaxRetryDelay"/>. A <c>Retry-After</c> header wins.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two tries. Default 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Rows per page when reading a whole result (the server allows at most 5000). Default 5000.</summary>
    public int PageSize { get; set; } = 5000;

    /// <summary>The longest one long-poll holds a request on the server (the server allows at most 30 seconds). Default 25 seconds.</summary>
    public TimeSpan LongPoll { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How many chunks of a result <c>ReadRowsAsync</c> downloads at once (each held in memory until its rows are read).</summary>
    public int ChunkParallelism { get; set; } = 4;
}
