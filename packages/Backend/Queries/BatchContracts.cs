namespace Lightdash.Net.Backend.Queries;

/// <summary>Several SQL queries submitted at once.</summary>
public sealed class BatchExecuteRequest
{
    /// <summary>The queries (1 to 100), each as for <c>POST .../query/sql</c> (its <c>waitMs</c> is ignored).</summary>
    public IReadOnlyList<ExecuteSqlQueryRequest>? Queries { get; init; }
}

/// <summary>One id per submitted query, in the order given.</summary>
public sealed class BatchExecuteResults
{
    /// <summary>The submitted queries.</summary>
    public required IReadOnlyList<ExecuteQueryResults> Queries { get; init; }
}

/// <summary>The states of several queries.</summary>
public sealed class BatchStatusResults
{
    /// <summary>Each query's state, in the order asked for.</summary>
    public required IReadOnlyList<BatchQueryState> Queries { get; init; }
}

/// <summary>One query's state.</summary>
public sealed class BatchQueryState
{
    /// <summary>The query's id.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>Its status.</summary>
    public required string Status { get; init; }

    /// <summary>Why it failed or expired.</summary>
    public string? Error { get; init; }

    /// <summary>Rows in the result, once ready.</summary>
    public long? TotalResults { get; init; }

    /// <summary>True when it reused an earlier result.</summary>
    public required bool CacheHit { get; init; }
}
