namespace Lightdash.Net.Backend.Queries.History;

/// <summary>A query about to be recorded as <c>pending</c>.</summary>
/// <param name="QueryUuid">Its id.</param>
/// <param name="ProjectUuid">The project it runs on.</param>
/// <param name="Context">Where it came from.</param>
/// <param name="CompiledSql">The SQL to run.</param>
/// <param name="RowLimit">The row limit, or null for all rows.</param>
/// <param name="DefaultPageSize">The page size when a read names none.</param>
/// <param name="CacheKey">The results cache key.</param>
/// <param name="CreatedByUserUuid">Who submitted it (its only reader).</param>
/// <param name="MetricQueryJson">For metric queries: the query as asked (JSON).</param>
/// <param name="FieldsJson">For metric queries: the selected fields (JSON).</param>
/// <param name="StatementTimeoutMs">A time limit the request asked for (lower than the project's), or null.</param>
/// <param name="CancelIfUnreadMs">Cancel it when nobody reads it for this long, or null.</param>
/// <param name="ParametersJson">The request's parameter values (JSON), or null.</param>
/// <param name="ComposeReferencesJson">For SQL composed over stored results: the tables it reads (JSON), or null.</param>
/// <param name="TraceParent">The submitting request's W3C trace context, continued by the job, or null.</param>
/// <param name="BindingsJson">Values bound to the SQL's placeholders (JSON array of type and text), or null.</param>
/// <param name="Priority">How it is picked up among the queued queries: high, normal or low.</param>
/// <param name="CallbackUrl">Where to tell that it ended, or null.</param>
/// <param name="CallbackSecret">The callback's secret, sealed, or null.</param>
public sealed record NewQuery(
    Guid QueryUuid, Guid ProjectUuid, string Context, string CompiledSql, long? RowLimit, int DefaultPageSize, string CacheKey,
    Guid? CreatedByUserUuid = null, string? MetricQueryJson = null, string? FieldsJson = null, long? StatementTimeoutMs = null, long? CancelIfUnreadMs = null,
    string? ParametersJson = null, string? ComposeReferencesJson = null, string? TraceParent = null, string? BindingsJson = null,
    string Priority = "normal", string? CallbackUrl = null, string? CallbackSecret = null);
