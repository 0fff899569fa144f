using System.Text.Json;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Queries;

namespace Lightdash.Net.Backend.Content;

/// <summary>A dashboard to create.</summary>
public sealed class SaveDashboardRequest
{
    /// <summary>Its name.</summary>
    public string? Name { get; init; }

    /// <summary>What it shows.</summary>
    public string? Description { get; init; }

    /// <summary>Its tiles, in order: each a saved chart or a saved SQL chart.</summary>
    public IReadOnlyList<DashboardTileBody>? Tiles { get; init; }

    /// <summary>
    /// Its filters: <c>{ "dimensions": [rule] }</c>, each rule <c>{ "id", "target": { "fieldId" }, "operator",
    /// "values", "settings"?, "tileTargets"?: { "&lt;tileUuid&gt;": { "fieldId" } | false } }</c>.
    /// </summary>
    public JsonElement? Filters { get; init; }
}

/// <summary>A tile of a dashboard.</summary>
public sealed class DashboardTileBody
{
    /// <summary>The saved chart it shows (or give <c>savedSqlUuid</c>).</summary>
    public Guid? SavedChartUuid { get; init; }

    /// <summary>The saved SQL chart it shows (or give <c>savedChartUuid</c>).</summary>
    public Guid? SavedSqlUuid { get; init; }
}

/// <summary>A dashboard.</summary>
public sealed class DashboardResults
{
    /// <summary>Its id.</summary>
    public required Guid DashboardUuid { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>What it shows.</summary>
    public string? Description { get; init; }

    /// <summary>Its filters.</summary>
    public required JsonElement Filters { get; init; }

    /// <summary>Its tiles, in order.</summary>
    public required IReadOnlyList<DashboardTileResults> Tiles { get; init; }
}

/// <summary>A tile of a dashboard.</summary>
public sealed class DashboardTileResults
{
    /// <summary>The tile's id.</summary>
    public required Guid TileUuid { get; init; }

    /// <summary>The saved chart it shows, if any.</summary>
    public Guid? SavedChartUuid { get; init; }

    /// <summary>The saved SQL chart it shows, if any.</summary>
    public Guid? SavedSqlUuid { get; init; }
}

/// <summary>Runs a dashboard tile's chart with the dashboard's filters.</summary>
public sealed class ExecuteDashboardChartRequest : QuerySubmitRequest
{
    /// <summary>
    /// Values of the project's parameters (<c>GET .../parameters</c> lists them): <c>{"region": "EU",
    /// "statuses": ["placed", "shipped"]}</c>. Model and saved SQL refer to them as
    /// <c>${lightdash.parameters.name}</c>; values are checked against the parameter's options and
    /// become quoted literals. Unset parameters take their default.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }

    /// <summary>The chart.</summary>
    public Guid? ChartUuid { get; init; }

    /// <summary>The tile showing it.</summary>
    public Guid? TileUuid { get; init; }

    /// <summary>The dashboard.</summary>
    public Guid? DashboardUuid { get; init; }

    /// <summary>Filters to apply instead of the dashboard's saved ones (same shape).</summary>
    public JsonElement? DashboardFilters { get; init; }

    /// <summary>Sorts that replace the chart's when not empty.</summary>
    public IReadOnlyList<SortBody>? DashboardSorts { get; init; }

    /// <summary>A smaller row limit than the chart's, if wanted.</summary>
    public int? Limit { get; init; }

    /// <summary>Milliseconds (0 to 30000) to wait for the result and carry its first page.</summary>
    public int? WaitMs { get; init; }

    /// <summary>
    /// The longest the warehouse may run this query, in seconds (1 or more). Lowers the project's limit
    /// (30 minutes unless the project sets its own), never raises it. Reaching it ends the query in
    /// <c>error</c> with a message naming the limit.
    /// </summary>
    public int? StatementTimeoutSeconds { get; init; }
}

/// <summary>Runs a dashboard tile's saved SQL chart with the dashboard's filters.</summary>
public sealed class ExecuteDashboardSqlChartRequest : QuerySubmitRequest
{
    /// <summary>
    /// Values of the project's parameters (<c>GET .../parameters</c> lists them): <c>{"region": "EU",
    /// "statuses": ["placed", "shipped"]}</c>. Model and saved SQL refer to them as
    /// <c>${lightdash.parameters.name}</c>; values are checked against the parameter's options and
    /// become quoted literals. Unset parameters take their default.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }

    /// <summary>The SQL chart (or give <c>slug</c>).</summary>
    public Guid? SavedSqlUuid { get; init; }

    /// <summary>The SQL chart's slug (or give <c>savedSqlUuid</c>).</summary>
    public string? Slug { get; init; }

    /// <summary>The dashboard.</summary>
    public Guid? DashboardUuid { get; init; }

    /// <summary>The tile showing the chart.</summary>
    public Guid? TileUuid { get; init; }

    /// <summary>Filters to apply instead of the dashboard's saved ones (same shape); rules apply to the SQL's columns of the same name.</summary>
    public JsonElement? DashboardFilters { get; init; }

    /// <summary>Sorts on the SQL's columns, applied around it.</summary>
    public IReadOnlyList<SortBody>? DashboardSorts { get; init; }

    /// <summary>Milliseconds (0 to 30000) to wait for the result and carry its first page.</summary>
    public int? WaitMs { get; init; }

    /// <summary>
    /// The longest the warehouse may run this query, in seconds (1 or more). Lowers the project's limit
    /// (30 minutes unless the project sets its own), never raises it. Reaching it ends the query in
    /// <c>error</c> with a message naming the limit.
    /// </summary>
    public int? StatementTimeoutSeconds { get; init; }
}

/// <summary>What a dashboard SQL chart answers.</summary>
public sealed class ExecuteDashboardSqlChartResults
{
    /// <summary>The query's id.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>Whether an earlier result was reused.</summary>
    public required CacheMetadata CacheMetadata { get; init; }

    /// <summary>With <c>waitMs</c>: the first page, once the query finished in time.</summary>
    public QueryResultsPage? FirstPage { get; init; }

    /// <summary>The dashboard filter rules applied, each targeting the column it was applied to.</summary>
    public required IReadOnlyList<JsonElement> AppliedDashboardFilters { get; init; }
}
