using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>One row of <c>query_history</c>, as the services read it.</summary>
public sealed class QueryHistoryRecord
{
    /// <summary>The query's id.</summary>
    public Guid QueryUuid { get; init; }

    /// <summary>The project it ran on.</summary>
    public Guid ProjectUuid { get; init; }

    /// <summary>When it was submitted.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>Where it came from (api, sqlRunner...).</summary>
    public string Context { get; init; } = "";

    /// <summary>Who submitted it (its only reader); null for rows from before users existed.</summary>
    public Guid? CreatedByUserUuid { get; init; }

    /// <summary>The page size used when a read names none.</summary>
    public int DefaultPageSize { get; init; }

    /// <summary>The SQL sent to the warehouse (before windowing).</summary>
    public string CompiledSql { get; init; } = "";

    /// <summary>How it is picked up among the queued queries: high, normal or low.</summary>
    public string PriorityName { get; init; } = "normal";

    /// <summary>Where to tell that it ended, or null.</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>The callback's secret, sealed (unsealed only to sign a call), or null.</summary>
    public string? CallbackSecret { get; init; }

    /// <summary>The callback's state: waiting (for the query to end), sending, delivered or failed; null without a callback.</summary>
    public string? CallbackState { get; init; }

    /// <summary>The row limit asked for, or null for all rows.</summary>
    public long? RowLimit { get; init; }

    /// <summary>Cancel it when nobody reads it for this many milliseconds; null when it did not ask.</summary>
    public long? CancelIfUnreadMs { get; init; }

    /// <summary>When someone last polled, paged or waited on it.</summary>
    public DateTime? LastReadAt { get; init; }

    /// <summary>While it executes: rows written so far (refreshed about once a second).</summary>
    public long? RowsWritten { get; init; }

    /// <summary>While it executes: bytes stored so far.</summary>
    public long? BytesWritten { get; init; }

    /// <summary>The time limit the request asked for, in milliseconds, or null for the project's.</summary>
    public long? StatementTimeoutMs { get; init; }

    /// <summary>The stored status name.</summary>
    public string StatusName { get; init; } = "";

    /// <summary>The status.</summary>
    public QueryStatus Status => QueryStatusNames.Parse(StatusName);

    /// <summary>The failure's message.</summary>
    public string? Error { get; init; }

    /// <summary>When it failed.</summary>
    public DateTime? ErroredAt { get; init; }

    /// <summary>The warehouse's SQLSTATE of the error, when it gave one.</summary>
    public string? ErrorSqlState { get; init; }

    /// <summary>The results cache key.</summary>
    public string CacheKey { get; init; } = "";

    /// <summary>The warehouse's id of the running query.</summary>
    public string? WarehouseQueryId { get; init; }

    /// <summary>Time from sending the query to its first row.</summary>
    public long? WarehouseExecutionTimeMs { get; init; }

    /// <summary>The number of rows of the result.</summary>
    public long? TotalRowCount { get; init; }

    /// <summary>The result's columns as JSON (an array of <see cref="ResultColumn"/>).</summary>
    public string? ColumnsJson { get; init; }

    /// <summary>The results object's key in the bucket.</summary>
    public string? ResultsFileName { get; init; }

    /// <summary>The results object's size in bytes.</summary>
    public long? ResultsByteSize { get; init; }

    /// <summary>How many rows each entry of the results' byte-offset index covers.</summary>
    public int? ResultsIndexBlockRows { get; init; }

    /// <summary>When a worker started it.</summary>
    public DateTime? ProcessingStartedAt { get; init; }

    /// <summary>When it reached a final state.</summary>
    public DateTime? FinishedAt { get; init; }

    /// <summary>When its results were stored (for a cache hit: when the reused result was).</summary>
    public DateTime? ResultsCreatedAt { get; init; }

    /// <summary>When its results expire.</summary>
    public DateTime? ResultsExpiresAt { get; init; }

    /// <summary>The running query it joined (single flight), or null when it runs (or ran) itself.</summary>
    public Guid? JoinedQueryUuid { get; init; }

    /// <summary>True when it reused an earlier result.</summary>
    public bool CacheHit { get; init; }

    /// <summary>For metric queries: the query as asked (JSON).</summary>
    public string? MetricQueryJson { get; init; }

    /// <summary>For SQL composed over stored results: the tables it reads (JSON: name to query and results file), or null.</summary>
    public string? ComposeReferencesJson { get; init; }

    /// <summary>While it executes: the key its result is being uploaded to (live pages are read beside it).</summary>
    public string? ResultsUploadKey { get; init; }

    /// <summary>The W3C trace context of the submitting request, or null.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The parameter values the request set (JSON object of name to values), or null.</summary>
    public string? ParametersJson { get; init; }

    /// <summary>For metric queries: the selected fields (JSON), which say how values are shown.</summary>
    public string? FieldsJson { get; init; }

    /// <summary>Values bound to the SQL's placeholders (JSON array of type and text), or null.</summary>
    public string? BindingsJson { get; init; }

    /// <summary>How many times a worker started it (more than 1 after a crashed worker's query was re-run).</summary>
    public int Attempt { get; init; }
}
