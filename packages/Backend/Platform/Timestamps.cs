namespace Lightdash.Net.Backend.Platform;

/// <summary>Stored instants and the durations between them, as the API shows them.</summary>
public static class Timestamps
{
    /// <summary>Milliseconds from <paramref name="from"/> to <paramref name="to"/>, or null while either is unknown.</summary>
    public static long? MillisecondsBetween(DateTime? from, DateTime? to) =>
        from is { } start && to is { } end ? (long)(end - start).TotalMilliseconds : null;

    /// <summary>A stored timestamp (UTC) as an offset date-time.</summary>
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>A stored timestamp (UTC) as an offset date-time, or null.</summary>
    public static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;
}
