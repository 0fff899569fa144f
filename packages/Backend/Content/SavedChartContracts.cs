using Lightdash.Net.Backend.Queries;
using System.Text.Json;
using Lightdash.Net.Backend.Explores;

namespace Lightdash.Net.Backend.Content;

/// <summary>A chart to save, or a new version of one.</summary>
public sealed class SaveChartRequest
{
    /// <summary>Its name (for a new chart).</summary>
    public string? Name { get; init; }

    /// <summary>What it shows.</summary>
    public string? Description { get; init; }

    /// <summary>The metric query it runs (checked against the project's explores when saved).</summary>
    public MetricQueryBody? MetricQuery { get; init; }

    /// <summary>How it is drawn (any JSON object; stored as given).</summary>
    public JsonElement? ChartConfig { get; init; }
}

/// <summary>A saved chart at one version.</summary>
public sealed class SavedChartResults
{
    /// <summary>The chart's id.</summary>
    public required Guid SavedChartUuid { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>What it shows.</summary>
    public string? Description { get; init; }

    /// <summary>This version's id.</summary>
    public required Guid VersionUuid { get; init; }

    /// <summary>When this version was saved.</summary>
    public required DateTimeOffset VersionCreatedAt { get; init; }

    /// <summary>The metric query of this version.</summary>
    public required MetricQueryBody MetricQuery { get; init; }

    /// <summary>How it is drawn.</summary>
    public required JsonElement ChartConfig { get; init; }

    /// <summary>Every version's id, newest first (only when one chart is asked for).</summary>
    public IReadOnlyList<Guid>? Versions { get; init; }
}

/// <summary>Runs a saved chart.</summary>
public sealed class ExecuteChartRequest : QuerySubmitRequest
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

    /// <summary>A version; the newest when absent.</summary>
    public Guid? VersionUuid { get; init; }

    /// <summary>A smaller row limit than the chart's, if wanted.</summary>
    public int? Limit { get; init; }

    /// <summary>Where the query comes from (default <c>chartView</c>).</summary>
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
