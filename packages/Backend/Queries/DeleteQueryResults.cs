namespace Lightdash.Net.Backend.Queries;

/// <summary>A deleted query.</summary>
public sealed class DeleteQueryResults
{
    /// <summary>The deleted query's id; later reads of it answer 404.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>True when its results file was deleted too (no other query shared it).</summary>
    public required bool ResultsDeleted { get; init; }
}
