namespace Lightdash.Net.Backend.Queries;

/// <summary>A cancelled query.</summary>
public sealed class CancelQueryResults
{
    /// <summary>The query's id.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary>Always <c>cancelled</c>.</summary>
    public required string Status { get; init; }
}
