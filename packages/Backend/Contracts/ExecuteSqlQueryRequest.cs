namespace Lightdash.Net.Backend.Contracts;

/// <summary>Runs raw SQL on the project's warehouse.</summary>
public sealed class ExecuteSqlQueryRequest
{
    /// <summary>One SQL statement in the warehouse's dialect, for example <c>select * from orders</c>. A trailing semicolon is allowed.</summary>
    public string? Sql { get; init; }

    /// <summary>At most this many rows are kept (1 or more); all rows when absent.</summary>
    public long? Limit { get; init; }

    /// <summary>Where the query comes from, for history and auditing: <c>api</c> (default), <c>sqlRunner</c>, <c>exploreView</c>, <c>dashboardView</c>...</summary>
    public string? Context { get; init; }
}
