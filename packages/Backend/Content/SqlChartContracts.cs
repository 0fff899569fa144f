using Lightdash.Net.Backend.Queries;
namespace Lightdash.Net.Backend.Content;

/// <summary>A saved SQL chart to create or change.</summary>
public sealed class SaveSqlChartRequest
{
    /// <summary>Its name.</summary>
    public string? Name { get; init; }

    /// <summary>A short id in the project (letters, digits, -); made from the name when absent. Fixed once created.</summary>
    public string? Slug { get; init; }

    /// <summary>What it shows.</summary>
    public string? Description { get; init; }

    /// <summary>The SQL it runs.</summary>
    public string? Sql { get; init; }

    /// <summary>At most this many rows; all when absent.</summary>
    public int? Limit { get; init; }
}

/// <summary>A saved SQL chart.</summary>
public sealed class SqlChartResults
{
    /// <summary>Its id.</summary>
    public required Guid SavedSqlUuid { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Its short id in the project.</summary>
    public required string Slug { get; init; }

    /// <summary>What it shows.</summary>
    public string? Description { get; init; }

    /// <summary>The SQL it runs.</summary>
    public required string Sql { get; init; }

    /// <summary>Its row limit, if any.</summary>
    public int? Limit { get; init; }

    /// <summary>When it was last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Runs a saved SQL chart.</summary>
public sealed class ExecuteSqlChartRequest : QuerySubmitRequest
{
    /// <summary>
    /// Values of the project's parameters (<c>GET .../parameters</c> lists them): <c>{"region": "EU",
    /// "statuses": ["placed", "shipped"]}</c>. Model and saved SQL refer to them as
    /// <c>${lightdash.parameters.name}</c>; values are checked against the parameter's options and
    /// become quoted literals. Unset parameters take their default.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }

    /// <summary>The chart's id (or give <c>slug</c>).</summary>
    public Guid? SavedSqlUuid { get; init; }

    /// <summary>The chart's slug (or give <c>savedSqlUuid</c>).</summary>
    public string? Slug { get; init; }

    /// <summary>A smaller row limit than the chart's, if wanted.</summary>
    public int? Limit { get; init; }

    /// <summary>Where the query comes from (default <c>sqlChartView</c>).</summary>
    public string? Context { get; init; }

    /// <summary>True to run anew even when a fresh cached result exists.</summary>
    public bool? InvalidateCache { get; init; }

    /// <summary>Milliseconds (0 to 30000) to wait for the result and carry its first page.</summary>
    public int? WaitMs { get; init; }

    /// <summary>
    /// The longest the warehouse may run this query, in seconds (1 or more). Lowers the project's limit
    /// (30 minutes unless the project sets its own), never raises it. Reaching it ends the query in
    /// <c>error</c> with a message naming the limit.
    /// </summary>
    public int? StatementTimeoutSeconds { get; init; }
}
