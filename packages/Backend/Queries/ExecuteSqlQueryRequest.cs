namespace Lightdash.Net.Backend.Queries;

/// <summary>Runs raw SQL on the project's warehouse.</summary>
public sealed class ExecuteSqlQueryRequest : QuerySubmitRequest
{
    /// <summary>
    /// Values of the project's parameters (<c>GET .../parameters</c> lists them): <c>{"region": "EU",
    /// "statuses": ["placed", "shipped"]}</c>. Model and saved SQL refer to them as
    /// <c>${lightdash.parameters.name}</c>; values are checked against the parameter's options and
    /// become quoted literals. Unset parameters take their default.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }

    /// <summary>
    /// One query in the warehouse's dialect, for example <c>select * from orders</c>. A trailing semicolon is
    /// allowed; a second statement is not (the SQL runs as a subquery, and the warehouse login may only read).
    /// </summary>
    public string? Sql { get; init; }

    /// <summary>At most this many rows are kept (1 or more); all rows when absent.</summary>
    public long? Limit { get; init; }

    /// <summary>Where the query comes from, for history and auditing: <c>api</c> (default), <c>sqlRunner</c>, <c>exploreView</c>, <c>dashboardView</c>...</summary>
    public string? Context { get; init; }

    /// <summary>True to run the query even when a fresh cached result exists (and not to join an identical running query).</summary>
    public bool? InvalidateCache { get; init; }

    /// <summary>
    /// Milliseconds to wait for the query to finish before answering (0 to 30000; default 0). When it
    /// finishes in time the answer carries its first page in <c>firstPage</c>.
    /// </summary>
    public int? WaitMs { get; init; }

    /// <summary>
    /// The longest the warehouse may run this query, in seconds (1 or more). Lowers the project's limit
    /// (30 minutes unless the project sets its own), never raises it. Reaching it ends the query in
    /// <c>error</c> with a message naming the limit.
    /// </summary>
    public int? StatementTimeoutSeconds { get; init; }

    /// <summary>
    /// Opt-in: cancel the query (and stop its warehouse statement) when nobody polls, pages or waits on it
    /// for this many seconds (1 to 86400). Its worker checks at every lease renewal
    /// (<c>QueryExecution:HeartbeatInterval</c>, 5 s), so it ends within that long after the time; a
    /// query still queued then never starts. A joined or cached query is not cancelled this way.
    /// </summary>
    public int? CancelIfUnreadSeconds { get; init; }
}
