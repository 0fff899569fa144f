namespace Lightdash.Net.Backend.Explores;

/// <summary>Subtotals of a metric query: its metrics grouped by some of its dimensions.</summary>
public sealed class CalculateSubtotalsRequest
{
    /// <summary>Groups of the query's dimensions, each giving one set of subtotals (for example <c>[["orders_status"], ["orders_status", "customers_country"]]</c>); at most 10 groups.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? DimensionGroups { get; init; }
}

/// <summary>Subtotals by group.</summary>
public sealed class SubtotalsResults
{
    /// <summary>For each group (its dimensions joined with <c>,</c>): one row per combination of their values, with every metric's subtotal.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<System.Text.Json.JsonElement>> Subtotals { get; init; }
}
