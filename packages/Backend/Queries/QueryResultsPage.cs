using Lightdash.Net.Backend.ResultsStorage;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// A query's state and, once it is <c>ready</c>, one page of its rows. While the query runs only
/// <c>status</c> and <c>queryUuid</c> are present; on <c>error</c> or <c>expired</c>
/// also <c>error</c> and <c>erroredAt</c>.
/// </summary>
public sealed class QueryResultsPage
{
    /// <summary>The query's id.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary><c>pending</c>, <c>queued</c>, <c>executing</c>, <c>ready</c>, <c>error</c>, <c>cancelled</c> or <c>expired</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Why the query failed (status <c>error</c> or <c>expired</c>).</summary>
    public string? Error { get; init; }

    /// <summary>The warehouse's SQLSTATE of that error (five characters), when the warehouse gave one.</summary>
    public string? ErrorSqlState { get; init; }

    /// <summary>How the query is picked up among the queued queries: <c>high</c>, <c>normal</c> or <c>low</c>.</summary>
    public string? Priority { get; init; }

    /// <summary>When the query failed.</summary>
    public DateTimeOffset? ErroredAt { get; init; }

    /// <summary>While the query waits or runs: its place in the queue and why it waits, or what it has written so far.</summary>
    public QueryProgressResults? Progress { get; init; }

    /// <summary>
    /// The page's rows: each row maps a field id to its value. While the query is still <c>executing</c>,
    /// a page whose rows are all stored already comes with them (and no totals, not known yet).
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>? Rows { get; init; }

    /// <summary>The result's columns by field id.</summary>
    public IReadOnlyDictionary<string, ResultColumnInfo>? Columns { get; init; }

    /// <summary>How many pages the whole result has at the requested page size (at least 1).</summary>
    public int? TotalPageCount { get; init; }

    /// <summary>How many rows the whole result has (absent while it executes).</summary>
    public long? TotalResults { get; init; }

    /// <summary>This page's number, from 1.</summary>
    public int? Page { get; init; }

    /// <summary>How many rows this page holds.</summary>
    public int? PageSize { get; init; }

    /// <summary>The next page's number; absent on the last page.</summary>
    public int? NextPage { get; init; }

    /// <summary>The previous page's number; absent on page 1.</summary>
    public int? PreviousPage { get; init; }

    /// <summary>Timings of this query and this page.</summary>
    public QueryResultsMetadata? Metadata { get; init; }
}

/// <summary>How far a query that is not ready yet has come.</summary>
public sealed class QueryProgressResults
{
    /// <summary>While <c>pending</c> or <c>queued</c>: its place among the queries waiting for a worker (1 is next).</summary>
    public long? QueuePosition { get; init; }

    /// <summary>
    /// While <c>pending</c> or <c>queued</c>: why it waits: <c>userLimit</c> (its user already runs the most
    /// queries they may) or <c>workersBusy</c> (every worker it may use is running other queries).
    /// </summary>
    public string? WaitingFor { get; init; }

    /// <summary>While <c>executing</c>: rows written to storage so far (refreshed about once a second).</summary>
    public long? RowsWritten { get; init; }

    /// <summary>While <c>executing</c>: bytes stored so far (compressed when results are).</summary>
    public long? BytesWritten { get; init; }

    /// <summary>While <c>executing</c>: milliseconds since it started.</summary>
    public long? ElapsedMs { get; init; }
}

/// <summary>One column of the result.</summary>
public sealed class ResultColumnInfo
{
    /// <summary>The field id: the key of this column in every row.</summary>
    public required string Reference { get; init; }

    /// <summary><c>string</c>, <c>number</c>, <c>date</c>, <c>timestamp</c> or <c>boolean</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The column as the API shows it.</summary>
    public static ResultColumnInfo Of(Common.ResultColumn column) => new() { Reference = column.Reference, Type = column.Type.ToString().ToLowerInvariant() };
}

/// <summary>Timings of a query and of the page served.</summary>
public sealed class QueryResultsMetadata
{
    /// <summary>The timings.</summary>
    public required QueryPerformance Performance { get; init; }

    /// <summary>Where this page's rows came from: <c>s3</c> (the stored results) or <c>warehouse</c> (re-fetched, when no S3 is configured).</summary>
    public required string Source { get; init; }
}

/// <summary>Where the time went, in milliseconds.</summary>
public sealed class QueryPerformance
{
    /// <summary>From the warehouse receiving the query to its first row.</summary>
    public long? InitialQueryExecutionMs { get; init; }

    /// <summary>Reading this page from the results storage.</summary>
    public long? ResultsPageExecutionMs { get; init; }

    /// <summary>From submission to a worker starting the query.</summary>
    public long? QueueTimeMs { get; init; }

    /// <summary>From a worker starting the query to every row being stored.</summary>
    public long? TotalExecutionMs { get; init; }
}
