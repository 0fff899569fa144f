namespace Lightdash.Net.Backend.Queries;

/// <summary>What an execute route hands to <see cref="AsyncQueryService.SubmitAndWaitAsync"/>.</summary>
/// <param name="Sql">The SQL to run.</param>
/// <param name="Limit">A row limit to apply around it, or null.</param>
/// <param name="Context">Where the query comes from.</param>
/// <param name="InvalidateCache">Run anew even when a fresh result exists.</param>
/// <param name="MetricQueryJson">For metric queries: the query as asked (stored in the history row).</param>
/// <param name="FieldsJson">For metric queries: the selected fields (stored in the history row).</param>
/// <param name="StatementTimeout">A time limit the request asked for (it only lowers the project's), or null.</param>
/// <param name="Timezone">The time zone the SQL was compiled for (relative dates), part of the cache key; UTC when null.</param>
/// <param name="CancelIfUnread">Cancel the query when nobody reads it for this long, or null.</param>
/// <param name="ParametersJson">The request's parameter values as checked (JSON), recorded in the history row; null when none.</param>
/// <param name="ComposeReferencesJson">For SQL composed over stored results: the tables it reads (JSON); they are part of the cache key.</param>
/// <param name="BindingsJson">Values bound to the SQL's placeholders (JSON array of type and text); part of the cache key.</param>
/// <param name="QueryUuid">The id the query takes, when the caller chose it already (a statement's handle); a new one when null.</param>
/// <param name="Priority">How it is picked up among the queued queries.</param>
/// <param name="Callback">Where to tell that it ended, or null.</param>
public sealed record CompiledSubmission(
    string Sql,
    long? Limit,
    string? Context,
    bool InvalidateCache,
    string? MetricQueryJson = null,
    string? FieldsJson = null,
    TimeSpan? StatementTimeout = null,
    string? Timezone = null,
    TimeSpan? CancelIfUnread = null,
    string? ParametersJson = null,
    string? ComposeReferencesJson = null,
    string? BindingsJson = null,
    Guid? QueryUuid = null,
    QueryPriority Priority = QueryPriority.Normal,
    QueryCallbackRequest? Callback = null)
{
    /// <summary>The submission with the priority and callback the request asked for (400 for an unknown priority).</summary>
    public CompiledSubmission For(QuerySubmitRequest request) =>
        this with { Priority = QueryPriorities.Parse(request.Priority), Callback = request.Callback };
}
