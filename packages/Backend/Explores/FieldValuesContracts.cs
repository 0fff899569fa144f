namespace Lightdash.Net.Backend.Explores;

/// <summary>A search for the values of a dimension (filter autocomplete), in Lightdash's shape.</summary>
public sealed class FieldValuesRequest
{
    /// <summary>The explore the dimension belongs to.</summary>
    public string? Table { get; init; }

    /// <summary>The dimension's field id, for example <c>orders_status</c>.</summary>
    public string? FieldId { get; init; }

    /// <summary>Only values containing this text (case-insensitive); all values when empty.</summary>
    public string? Search { get; init; }

    /// <summary>At most this many values (1 to 5000, default 100).</summary>
    public int? Limit { get; init; }

    /// <summary>Other filters of the explore that the values must meet (a metric query's <c>filters</c> shape; dimensions only).</summary>
    public System.Text.Json.JsonElement? Filters { get; init; }

    /// <summary>Read the warehouse again even when the values were read in the last few minutes.</summary>
    public bool? ForceRefresh { get; init; }

    /// <summary>Values of the project's parameters, for dimensions and row filters that use them.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }
}

/// <summary>The values of a dimension that matched a search.</summary>
public sealed class FieldValuesResults
{
    /// <summary>The search as given.</summary>
    public required string Search { get; init; }

    /// <summary>The distinct values, in order (numbers stay numbers).</summary>
    public required IReadOnlyList<System.Text.Json.JsonElement> Results { get; init; }

    /// <summary>When the values were read from the warehouse.</summary>
    public required DateTime RefreshedAt { get; init; }

    /// <summary>True when they came from the cache.</summary>
    public required bool Cached { get; init; }
}
