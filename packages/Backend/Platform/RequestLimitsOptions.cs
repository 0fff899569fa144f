using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Platform;

/// <summary>How large a request may be (section <c>RequestLimits</c>).</summary>
public sealed class RequestLimitsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "RequestLimits";

    /// <summary>The longest request body, in bytes (default 8 MiB): larger answers 413.</summary>
    [Range(1024, 1L << 32)]
    public long MaxBodyBytes { get; set; } = 8L << 20;

    /// <summary>The longest path and query string together, in characters (default 8192): longer answers 414.</summary>
    [Range(256, 1 << 20)]
    public int MaxUrlLength { get; set; } = 8192;
}
