using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>Export jobs (<c>schedule-download</c>) and the synchronous download.</summary>
public sealed class ExportsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Exports";

    /// <summary>The largest result (in rows) the synchronous <c>download</c> route exports; larger ones run as jobs.</summary>
    [Range(1, long.MaxValue)]
    public long SyncDownloadMaxRows { get; set; } = 100_000;

    /// <summary>How long an export job and its file are kept.</summary>
    public TimeSpan FileLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest download file name accepted (without its extension).</summary>
    [Range(1, 1000)]
    public int MaxFileNameLength { get; set; } = 200;
}
