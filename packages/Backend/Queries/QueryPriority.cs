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

/// <summary>Priorities as the API and the history row name them (the queues are <see cref="Execution.Workloads"/>'s).</summary>
public static class QueryPriorities
{
    /// <summary>The name in requests, answers and the history row.</summary>
    public static string ToName(this QueryPriority priority) => priority switch
    {
        QueryPriority.High => "high",
        QueryPriority.Low => "low",
        _ => "normal",
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
