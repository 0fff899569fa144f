namespace Lightdash.Net.Backend.Queries;

/// <summary>How a query is picked up among the queued queries that the fairness rule lets run.</summary>
public enum QueryPriority
{
    /// <summary>Before normal and low queries.</summary>
    High,

    /// <summary>The default.</summary>
    Normal,

    /// <summary>After high and normal queries.</summary>
    Low,
}

/// <summary>Priorities as the API and the history row name them, and the Hangfire queue of each.</summary>
public static class QueryPriorities
{
    /// <summary>
    /// The worker queues, in the order workers take from them. Hangfire's PostgreSQL storage picks the
    /// next job by queue name in alphabetical order, so the names sort as the priorities do.
    /// </summary>
    public static readonly string[] Queues = ["critical", "default", "low"];

    /// <summary>The name in requests, answers and the history row.</summary>
    public static string ToName(this QueryPriority priority) => priority switch
    {
        QueryPriority.High => "high",
        QueryPriority.Low => "low",
        _ => "normal",
    };

    /// <summary>The Hangfire queue the query's job goes to.</summary>
    public static string QueueOf(this QueryPriority priority) => priority switch
    {
        QueryPriority.High => Queues[0],
        QueryPriority.Low => Queues[2],
        _ => Queues[1],
    };

    /// <summary>The priority a request or row names; normal when absent; 400 for anything else.</summary>
    public static QueryPriority Parse(string? name) => name switch
    {
        null or "normal" => QueryPriority.Normal,
        "high" => QueryPriority.High,
        "low" => QueryPriority.Low,
        _ => throw new Platform.ValidationException($"priority must be high, normal or low (got \"{Truncated(name)}\")."),
    };

    private static string Truncated(string name) => name.Length <= 20 ? name : name[..20] + "…";
}
