namespace Lightdash.Net.Backend.Queries;

/// <summary>SQL over stored results: each reference is a table holding a ready result of the caller's.</summary>
public sealed class ComposeSqlRequest : QuerySubmitRequest
{
    /// <summary>One DuckDB query over the referenced tables, for example <c>select o.status, count(*) from orders o group by 1</c>.</summary>
    public string? Sql { get; init; }

    /// <summary>Table name (letters, digits and _) to the <c>queryUuid</c> of a ready result of the caller's in this project; 1 to 10 of them.</summary>
    public IReadOnlyDictionary<string, Guid>? References { get; init; }

    /// <summary>At most this many rows are kept; all rows when absent.</summary>
    public long? Limit { get; init; }

    /// <summary>Where the query comes from, for history (default <c>composeSql</c>).</summary>
    public string? Context { get; init; }

    /// <summary>True to run even when a fresh cached result of the same SQL over the same results exists.</summary>
    public bool? InvalidateCache { get; init; }

    /// <summary>Wait up to this many milliseconds (at most 60000) for the result, then answer with its first page.</summary>
    public int? WaitMs { get; init; }

    /// <summary>A time limit in seconds, lower than the project's.</summary>
    public int? StatementTimeoutSeconds { get; init; }

    /// <summary>Values of the project's parameters, for <c>${lightdash.parameters.name}</c> in the SQL (quoted as DuckDB literals).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }
}

/// <summary>A sorted, filtered view of a ready result, stored as a result of its own.</summary>
public sealed class ResultViewRequest : QuerySubmitRequest
{
    /// <summary>Conditions that every row of the view meets (all of them).</summary>
    public IReadOnlyList<ResultViewFilter>? Filters { get; init; }

    /// <summary>The order of the view's rows (nulls last).</summary>
    public IReadOnlyList<ResultViewSort>? Sorts { get; init; }

    /// <summary>At most this many rows; all when absent.</summary>
    public long? Limit { get; init; }

    /// <summary>Wait up to this many milliseconds (at most 60000) for the view, then answer with its first page.</summary>
    public int? WaitMs { get; init; }
}

/// <summary>One condition of a view.</summary>
public sealed class ResultViewFilter
{
    /// <summary>A column of the result.</summary>
    public string? Column { get; init; }

    /// <summary>equals, notEquals, isNull, notNull, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual, inBetween (two values), include, startsWith, endsWith (text).</summary>
    public string? Operator { get; init; }

    /// <summary>The operator's values, parsed as the column's type.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement>? Values { get; init; }
}

/// <summary>One sort key of a view.</summary>
public sealed class ResultViewSort
{
    /// <summary>A column of the result.</summary>
    public string? Column { get; init; }

    /// <summary>True for descending.</summary>
    public bool Descending { get; init; }
}
