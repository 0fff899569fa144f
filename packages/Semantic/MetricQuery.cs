namespace Lightdash.Net.Semantic;

/// <summary>A question asked of an explore: fields to group by and aggregate, filters, order, limit.</summary>
/// <param name="ExploreName">The explore.</param>
/// <param name="Dimensions">Field ids to group by.</param>
/// <param name="Metrics">Field ids to aggregate.</param>
/// <param name="DimensionFilters">Filters on rows (WHERE), or null.</param>
/// <param name="MetricFilters">Filters on aggregates (HAVING), or null.</param>
/// <param name="Sorts">The order of the rows.</param>
/// <param name="Limit">At most this many rows.</param>
/// <param name="Timezone">The time zone relative date filters are computed in (IANA name), default UTC.</param>
/// <param name="TableCalculations">Named SQL expressions over the result's fields, computed in an outer query.</param>
public sealed record MetricQuery(
    string ExploreName,
    IReadOnlyList<string> Dimensions,
    IReadOnlyList<string> Metrics,
    FilterGroup? DimensionFilters,
    FilterGroup? MetricFilters,
    IReadOnlyList<SortField> Sorts,
    int Limit,
    string? Timezone = null,
    IReadOnlyList<TableCalculation>? TableCalculations = null);

/// <summary>A named SQL expression over a result's fields (window functions allowed).</summary>
/// <param name="Name">Its name: the result column.</param>
/// <param name="DisplayName">A friendly name.</param>
/// <param name="Sql">The expression, referring to selected fields as <c>${field_id}</c>.</param>
public sealed record TableCalculation(string Name, string DisplayName, string Sql);

/// <summary>One sort key.</summary>
/// <param name="FieldId">The field.</param>
/// <param name="Descending">True for descending.</param>
public sealed record SortField(string FieldId, bool Descending);

/// <summary>A filter tree node: a rule or a group.</summary>
public abstract record FilterNode;

/// <summary>Rules combined with <c>and</c> or <c>or</c>.</summary>
/// <param name="Combinator"><c>and</c> or <c>or</c>.</param>
/// <param name="Items">The rules and nested groups.</param>
public sealed record FilterGroup(string Combinator, IReadOnlyList<FilterNode> Items) : FilterNode;

/// <summary>One condition on one field.</summary>
/// <param name="FieldId">The field it tests.</param>
/// <param name="Operator">equals, notEquals, isNull, notNull, startsWith, endsWith, include, doesNotInclude, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual, inBetween, notInBetween, inThePast, notInThePast, inTheNext, inTheCurrent, notInTheCurrent, inPeriodToDate.</param>
/// <param name="Values">The operator's values (strings, numbers, booleans or dates, as JSON scalars' text).</param>
/// <param name="UnitOfTime">For relative dates: days, weeks, months, quarters, years.</param>
/// <param name="Completed">For relative dates: only whole units (up to the start of the current one).</param>
public sealed record FilterRule(string FieldId, string Operator, IReadOnlyList<FilterValue> Values, string? UnitOfTime = null, bool Completed = false) : FilterNode;

/// <summary>A filter value as the user sent it.</summary>
/// <param name="Text">Its text (a JSON string's content, or a number's or boolean's literal text).</param>
/// <param name="IsString">True when it was a JSON string.</param>
public sealed record FilterValue(string Text, bool IsString);

/// <summary>A metric query that cannot be compiled: an unknown explore, field or operator, or a value of the wrong type.</summary>
public sealed class MetricQueryException(string message) : Exception(message);
