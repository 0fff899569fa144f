namespace Lightdash.Net.Backend.Queries;

/// <summary>What a submitted query answers at once: the id to poll.</summary>
public sealed class ExecuteQueryResults
{
    /// <summary>The query's id; poll <c>GET /api/v2/projects/{projectUuid}/query/{queryUuid}</c> with it.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>Whether an earlier result was reused.</summary>
    public required CacheMetadata CacheMetadata { get; init; }

    /// <summary>
    /// With <c>waitMs</c>: the query's state once it finished or the wait ran out; when it is
    /// <c>ready</c>, its first page, exactly as <c>GET .../query/{queryUuid}</c> answers it.
    /// </summary>
    public QueryResultsPage? FirstPage { get; init; }
}

/// <summary>Whether the results come from the results cache.</summary>
public sealed class CacheMetadata
{
    /// <summary>True when an earlier, still fresh result was reused instead of running the query.</summary>
    public required bool CacheHit { get; init; }

    /// <summary>When the reused result was stored; absent on a miss.</summary>
    public DateTimeOffset? CacheUpdatedTime { get; init; }

    /// <summary>When the reused result expires; absent on a miss.</summary>
    public DateTimeOffset? CacheExpiresAt { get; init; }
}
