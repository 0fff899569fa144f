namespace Lightdash.Net.Common;

/// <summary>The life of one query, as stored in <c>query_history.status</c>.</summary>
public enum QueryStatus
{
    /// <summary>The history row exists; the query is not yet handed to a worker.</summary>
    Pending,

    /// <summary>Handed to the background job queue.</summary>
    Queued,

    /// <summary>A worker claimed it and runs it on the warehouse.</summary>
    Executing,

    /// <summary>Every row is stored; pages can be read.</summary>
    Ready,

    /// <summary>The warehouse or the results storage failed; see the error.</summary>
    Error,

    /// <summary>Cancelled by the user.</summary>
    Cancelled,

    /// <summary>Waited too long or outlived its results.</summary>
    Expired,
}
