using Lightdash.Net.Backend.Queries;
namespace Lightdash.Net.Backend.Explores;

/// <summary>Several metric queries of one project, joined on their shared dimensions into one result.</summary>
public sealed class MergeQueryRequest : QuerySubmitRequest
{
    /// <summary>2 to 5 metric queries; a field id may appear in more than one only if it is a dimension of all of them (a shared dimension, the join key).</summary>
    public IReadOnlyList<MetricQueryBody>? Queries { get; init; }

    /// <summary>Values of the project's parameters (for every query).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }

    /// <summary>Where the query comes from, for history (default <c>mergeQuery</c>).</summary>
    public string? Context { get; init; }

    /// <summary>True to run even when a fresh cached result exists.</summary>
    public bool? InvalidateCache { get; init; }

    /// <summary>Wait up to this many milliseconds (at most 60000), then answer with the first page.</summary>
    public int? WaitMs { get; init; }

    /// <summary>
    /// The longest the warehouse may run this query, in seconds (1 or more). Lowers the project's limit
    /// (30 minutes unless the project sets its own), never raises it. Reaching it ends the query in
    /// <c>error</c> with a message naming the limit.
    /// </summary>
    public int? StatementTimeoutSeconds { get; init; }
}
