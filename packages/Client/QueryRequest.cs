using System.Text.Json.Nodes;

namespace Lightdash.Net.Client;

/// <summary>
/// A query to submit: which execute route, and its body. Made by the factory methods (<see cref="Sql"/>,
/// <see cref="MetricQuery"/>, <see cref="SavedChart"/>...); <see cref="WithPriority"/>,
/// <see cref="WithCallback"/> and <see cref="With"/> add to it.
/// </summary>
public sealed class QueryRequest
{
    private QueryRequest(string route, JsonObject body)
    {
        Route = route;
        Body = body;
    }

    /// <summary>The route under <c>/api/v2/projects/{projectUuid}/query/</c> (<c>sql</c>, <c>metric-query</c>...).</summary>
    public string Route { get; }

    /// <summary>The JSON body as it will be sent.</summary>
    public JsonObject Body { get; }

    /// <summary>SQL run as written (developers and admins of the project), with an optional row limit.</summary>
    public static QueryRequest Sql(string sql, long? limit = null) =>
        new("sql", BodyOf(("sql", sql), ("limit", limit)));

    /// <summary>A metric query over an explore: <c>{exploreName, dimensions, metrics, filters, sorts, limit...}</c> as the API takes it.</summary>
    public static QueryRequest MetricQuery(object query) =>
        new("metric-query", BodyOf(("query", JsonNodeOf(query))));

    /// <summary>A saved chart, as saved (or at a version).</summary>
    public static QueryRequest SavedChart(Guid chartUuid, Guid? versionUuid = null) =>
        new("chart", BodyOf(("chartUuid", chartUuid.ToString()), ("versionUuid", versionUuid?.ToString())));

    /// <summary>A chart tile of a dashboard, with the dashboard's filters.</summary>
    public static QueryRequest DashboardChart(Guid dashboardUuid, Guid tileUuid, Guid chartUuid) =>
        new("dashboard-chart", BodyOf(("dashboardUuid", dashboardUuid.ToString()), ("tileUuid", tileUuid.ToString()), ("chartUuid", chartUuid.ToString())));

    /// <summary>A saved SQL chart.</summary>
    public static QueryRequest SqlChart(Guid savedSqlUuid) =>
        new("sql-chart", BodyOf(("savedSqlUuid", savedSqlUuid.ToString())));

    /// <summary>A SQL chart tile of a dashboard, with the dashboard's filters.</summary>
    public static QueryRequest DashboardSqlChart(Guid dashboardUuid, Guid tileUuid, Guid savedSqlUuid) =>
        new("dashboard-sql-chart", BodyOf(("dashboardUuid", dashboardUuid.ToString()), ("tileUuid", tileUuid.ToString()), ("savedSqlUuid", savedSqlUuid.ToString())));

    /// <summary>The rows behind a value of an earlier metric query (the caller's own), narrowed by filters.</summary>
    public static QueryRequest UnderlyingData(Guid sourceQueryUuid, object? filters = null) =>
        new("underlying-data", BodyOf(("underlyingDataSourceQueryUuid", sourceQueryUuid.ToString()), ("filters", filters is null ? null : JsonNodeOf(filters))));

    /// <summary>Several metric queries joined on their shared dimensions.</summary>
    public static QueryRequest MergeQuery(IEnumerable<object> queries) =>
        new("merge-query", BodyOf(("queries", new JsonArray([.. queries.Select(JsonNodeOf)]))));

    /// <summary>SQL (DuckDB's dialect) over the caller's stored results: each reference names a table and a ready query.</summary>
    public static QueryRequest ComposeSql(string sql, IReadOnlyDictionary<string, Guid> references, long? limit = null) =>
        new("compose-sql", BodyOf(
            ("sql", sql),
            ("limit", limit),
            ("references", new JsonObject(references.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value.ToString()))))));

    /// <summary>How it is picked up among the queued queries (normal when not set).</summary>
    public QueryRequest WithPriority(QueryPriority priority) => With("priority", priority.ToName());

    /// <summary>An address the server POSTs to when the query ends, signed with <paramref name="secret"/> (see <see cref="CallbackSignature"/>).</summary>
    public QueryRequest WithCallback(Uri url, string? secret = null) =>
        With("callback", BodyOf(("url", url.ToString()), ("secret", secret)));

    /// <summary>Any other field of the route's body (<c>invalidateCache</c>, <c>parameters</c>, <c>context</c>, <c>statementTimeoutSeconds</c>...).</summary>
    public QueryRequest With(string field, object? value)
    {
        var body = Body.DeepClone().AsObject();
        if (value is null)
        {
            body.Remove(field);
        }
        else
        {
            body[field] = JsonNodeOf(value);
        }

        return new QueryRequest(Route, body);
    }

    // A body without its null fields: the server's defaults apply to what is left out.
    private static JsonObject BodyOf(params (string Name, JsonNode? Value)[] fields) =>
        new(fields.Where(f => f.Value is not null).Select(f => KeyValuePair.Create(f.Name, f.Value)));

    private static JsonNode? JsonNodeOf(object value) =>
        value as JsonNode ?? System.Text.Json.JsonSerializer.SerializeToNode(value, LightdashJson.Options);
}
