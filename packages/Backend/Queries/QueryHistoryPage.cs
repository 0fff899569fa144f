namespace Lightdash.Net.Backend.Queries;

/// <summary>A page of a project's queries, newest first.</summary>
public sealed class QueryHistoryPage
{
    /// <summary>The queries.</summary>
    public required IReadOnlyList<QueryHistoryItem> Data { get; init; }

    /// <summary>Where this page is in the whole list.</summary>
    public required Pagination Pagination { get; init; }
}

/// <summary>Page numbers of a list.</summary>
public sealed class Pagination
{
    /// <summary>This page, from 1.</summary>
    public required int Page { get; init; }

    /// <summary>Items per page asked for.</summary>
    public required int PageSize { get; init; }

    /// <summary>How many pages the list has (at least 1).</summary>
    public required int TotalPageCount { get; init; }

    /// <summary>How many items the list has.</summary>
    public required long TotalResults { get; init; }
}

/// <summary>One query of the history.</summary>
public sealed class QueryHistoryItem
{
    /// <summary>The query's id.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>Its status.</summary>
    public required string Status { get; init; }

    /// <summary>When it was submitted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Where it came from (api, sqlRunner...).</summary>
    public required string Context { get; init; }

    /// <summary>The SQL that ran.</summary>
    public required string Sql { get; init; }

    /// <summary>Rows in the result, once ready.</summary>
    public long? TotalRowCount { get; init; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; init; }

    /// <summary>The warehouse's SQLSTATE of that error, when the warehouse gave one.</summary>
    public string? ErrorSqlState { get; init; }

    /// <summary>How it was picked up among the queued queries: <c>high</c>, <c>normal</c> or <c>low</c>.</summary>
    public required string Priority { get; init; }

    /// <summary>From submission to a worker starting it, in milliseconds.</summary>
    public long? QueueTimeMs { get; init; }

    /// <summary>From the warehouse receiving it to its first row, in milliseconds.</summary>
    public long? WarehouseExecutionTimeMs { get; init; }

    /// <summary>From a worker starting it to its final state, in milliseconds.</summary>
    public long? TotalExecutionMs { get; init; }

    /// <summary>When it reached its final state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
}
