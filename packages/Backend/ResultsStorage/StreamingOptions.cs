using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// The threads that write results. Bound from the <c>QueryExecution</c> section, where these settings
/// have always been: they tune how queries' rows reach the storage.
/// </summary>
public sealed class StreamingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "QueryExecution";

    /// <summary>Threads that decode, compress and upload results (0: half the cores, at least one). They sit outside the thread pool that serves requests.</summary>
    [Range(0, 256)]
    public int StreamingThreads { get; set; }

    /// <summary>The Linux nice value of those threads (0-19): above 0, requests are served first when the cores are busy.</summary>
    [Range(0, 19)]
    public int StreamingThreadNiceness { get; set; } = 10;
}
