namespace Lightdash.Net.Backend.Queries;

/// <summary>A query's completion callback: where it goes, how far it got, and every call made.</summary>
public sealed class QueryCallbackResults
{
    /// <summary>The address it is sent to.</summary>
    public required string Url { get; init; }

    /// <summary><c>waiting</c> (the query has not ended), <c>sending</c>, <c>delivered</c> or <c>failed</c> (every try failed).</summary>
    public required string State { get; init; }

    /// <summary>Every call, first first.</summary>
    public required IReadOnlyList<QueryCallbackAttemptResults> Attempts { get; init; }
}

/// <summary>One call of a completion callback.</summary>
public sealed class QueryCallbackAttemptResults
{
    /// <summary>Its number, from 1.</summary>
    public required int Attempt { get; init; }

    /// <summary>When it was made.</summary>
    public required DateTimeOffset AttemptedAt { get; init; }

    /// <summary>The receiver's HTTP status, or null when no answer came (refused address, timeout, connection failure).</summary>
    public int? StatusCode { get; init; }

    /// <summary>What went wrong, or null for a 2xx answer.</summary>
    public string? Error { get; init; }

    /// <summary>How long the call took.</summary>
    public required long DurationMs { get; init; }
}
