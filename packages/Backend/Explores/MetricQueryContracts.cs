using System.Text.Json;
using Lightdash.Net.Backend.Queries;

namespace Lightdash.Net.Backend.Explores;

/// <summary>Runs a metric query: fields of an explore, compiled to SQL by the backend.</summary>
public sealed class ExecuteMetricQueryRequest : QuerySubmitRequest
{
    /// <summary>
    /// Values of the project's parameters (<c>GET .../parameters</c> lists them): <c>{"region": "EU",
    /// "statuses": ["placed", "shipped"]}</c>. Model and saved SQL refer to them as
    /// <c>${lightdash.parameters.name}</c>; values are checked against the parameter's options and
    /// become quoted literals. Unset parameters take their default.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }

    /// <summary>The question.</summary>
    public MetricQueryBody? Query { get; init; }

    /// <summary>Where the query comes from: <c>exploreView</c> (default), <c>dashboardView</c>, <c>api</c>...</summary>
    public string? Context { get; init; }

    /// <summary>True to run anew even when a fresh cached result exists.</summary>
    public bool? InvalidateCache { get; init; }

    /// <summary>Milliseconds (0 to 30000) to wait for the result; when it finishes in time, <c>firstPage</c> carries its first page.</summary>
    public int? WaitMs { get; init; }

    /// <summary>
    /// The longest the warehouse may run this query, in seconds (1 or more). Lowers the project's limit
    /// (30 minutes unless the project sets its own), never raises it. Reaching it ends the query in
    /// <c>error</c> with a message naming the limit.
    /// </summary>
    public int? StatementTimeoutSeconds { get; init; }
}

/// <summary>A metric query, in Lightdash's shape.</summary>
public sealed record MetricQueryBody
{
    /// <summary>The explore (see <c>GET /api/v1/projects/{projectUuid}/explores</c>).</summary>
    public string? ExploreName { get; init; }

    /// <summary>Field ids of dimensions to group by.</summary>
    public IReadOnlyList<string>? Dimensions { get; init; }

    /// <summary>Field ids of metrics to aggregate.</summary>
    public IReadOnlyList<string>? Metrics { get; init; }

    /// <summary>
    /// <c>{ "dimensions": group, "metrics": group }</c>, where a group is <c>{ "id", "and": [...] }</c> or
    /// <c>{ "id", "or": [...] }</c> of rules <c>{ "id", "target": { "fieldId" }, "operator", "values": [...],
    /// "settings": { "unitOfTime", "completed" } }</c> and nested groups. Dimension filters apply to rows,
    /// metric filters to aggregates.
    /// </summary>
    public JsonElement? Filters { get; init; }

    /// <summary>The order: <c>[{ "fieldId", "descending" }]</c>, on selected fields.</summary>
    public IReadOnlyList<SortBody>? Sorts { get; init; }

    /// <summary>At most this many rows (1 to 5000; default 500).</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Named SQL expressions over the selected fields (<c>${table.field}</c> or <c>${field_id}</c>),
    /// window functions allowed, computed over the grouped result. Needs the developer role: the
    /// expression is SQL run on the warehouse.
    /// </summary>
    public IReadOnlyList<TableCalculationBody>? TableCalculations { get; init; }

    /// <summary>The IANA time zone relative date filters use (default UTC).</summary>
    public string? Timezone { get; init; }
}

/// <summary>A table calculation.</summary>
public sealed class TableCalculationBody
{
    /// <summary>Its name: the result column (letters, digits, _).</summary>
    public string? Name { get; init; }

    /// <summary>A friendly name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The SQL expression.</summary>
    public string? Sql { get; init; }
}

/// <summary>One sort key.</summary>
public sealed class SortBody
{
    /// <summary>A selected field's id.</summary>
    public string? FieldId { get; init; }

    /// <summary>True for descending.</summary>
    public bool Descending { get; init; }
}

/// <summary>What a metric query answers at once.</summary>
public sealed class ExecuteMetricQueryResults
{
    /// <summary>The query's id; read its pages from <c>GET .../query/{queryUuid}</c>.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>Whether an earlier result was reused.</summary>
    public required CacheMetadata CacheMetadata { get; init; }

    /// <summary>The metric query as run.</summary>
    public required MetricQueryBody MetricQuery { get; init; }

    /// <summary>The selected fields by id: the columns of the result.</summary>
    public required IReadOnlyDictionary<string, ResultFieldResults> Fields { get; init; }

    /// <summary>With <c>waitMs</c>: the first page, once the query finished in time.</summary>
    public QueryResultsPage? FirstPage { get; init; }

    /// <summary>For dashboard charts: the dashboard filter rules applied to this tile, each targeting the field it was applied to.</summary>
    public IReadOnlyList<JsonElement>? AppliedDashboardFilters { get; init; }
}

/// <summary>The rows behind a value of an earlier metric query.</summary>
public sealed class ExecuteUnderlyingDataRequest : QuerySubmitRequest
{
    /// <summary>
    /// Values of the project's parameters (<c>GET .../parameters</c> lists them): <c>{"region": "EU",
    /// "statuses": ["placed", "shipped"]}</c>. Model and saved SQL refer to them as
    /// <c>${lightdash.parameters.name}</c>; values are checked against the parameter's options and
    /// become quoted literals. Unset parameters take their default.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }

    /// <summary>The earlier metric query (the caller's own).</summary>
    public Guid? UnderlyingDataSourceQueryUuid { get; init; }

    /// <summary>The clicked field (a metric of the earlier query), for the record; its value is narrowed by <c>filters</c>.</summary>
    public string? UnderlyingDataItemId { get; init; }

    /// <summary>The clicked row's dimension values and any other filters, in the metric query's filter shape (<c>{ dimensions: group }</c>).</summary>
    public JsonElement? Filters { get; init; }

    /// <summary>The order, on the explore's dimensions.</summary>
    public IReadOnlyList<SortBody>? Sorts { get; init; }

    /// <summary>At most this many rows (1 to 5000; default 500).</summary>
    public int? Limit { get; init; }

    /// <summary>Where the query comes from (default <c>viewUnderlyingData</c>).</summary>
    public string? Context { get; init; }

    /// <summary>Milliseconds (0 to 30000) to wait for the result and carry its first page.</summary>
    public int? WaitMs { get; init; }

    /// <summary>
    /// The longest the warehouse may run this query, in seconds (1 or more). Lowers the project's limit
    /// (30 minutes unless the project sets its own), never raises it. Reaching it ends the query in
    /// <c>error</c> with a message naming the limit.
    /// </summary>
    public int? StatementTimeoutSeconds { get; init; }
}
