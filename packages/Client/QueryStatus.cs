namespace Lightdash.Net.Client;

/// <summary>Where a query is in its life.</summary>
public enum QueryStatus
{
    /// <summary>Recorded, not yet queued.</summary>
    Pending,

    /// <summary>Waiting for a worker.</summary>
    Queued,

    /// <summary>Running on the warehouse, its rows being stored.</summary>
    Executing,

    /// <summary>Finished: its pages can be read.</summary>
    Ready,

    /// <summary>Failed: see the error.</summary>
    Error,

    /// <summary>Cancelled by a user (or because nobody read it).</summary>
    Cancelled,

    /// <summary>Its results were deleted after their lifetime (or it waited in the queue too long).</summary>
    Expired,
}

/// <summary>How a query is picked up among the queued ones.</summary>
public enum QueryPriority
{
    /// <summary>Before normal and low queries.</summary>
    High,

    /// <summary>The default.</summary>
    Normal,

    /// <summary>After high and normal queries.</summary>
    Low,
}

internal static class QueryStatusNames
{
    public static QueryStatus Parse(string? name) => name switch
    {
        "pending" => QueryStatus.Pending,
        "queued" => QueryStatus.Queued,
        "executing" => QueryStatus.Executing,
        "ready" => QueryStatus.Ready,
        "error" => QueryStatus.Error,
        "cancelled" => QueryStatus.Cancelled,
        "expired" => QueryStatus.Expired,
        _ => throw new LightdashApiException(System.Net.HttpStatusCode.OK, "UnknownStatus", $"The server answered an unknown status \"{name}\"."),
    };

    public static bool IsFinal(this QueryStatus status) => status is QueryStatus.Ready or QueryStatus.Error or QueryStatus.Cancelled or QueryStatus.Expired;

    public static string ToName(this QueryPriority priority) => priority switch
    {
        QueryPriority.High => "high",
        QueryPriority.Low => "low",
        _ => "normal",
    };
}
