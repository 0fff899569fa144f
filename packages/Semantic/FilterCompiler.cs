using System.Globalization;
using Lightdash.Net.Common;

namespace Lightdash.Net.Semantic;

/// <summary>
/// Compiles filter trees into SQL conditions. Field references come from the explore; values are
/// checked against the field's type (numbers parsed, dates parsed and re-printed, booleans) or
/// quoted by the dialect as string literals, so no user text reaches the SQL unquoted.
/// </summary>
/// <param name="context">Resolves fields and renders their SQL.</param>
/// <param name="dialect">The warehouse's SQL.</param>
/// <param name="timezone">The zone relative dates are computed in.</param>
/// <param name="metricColumn">When metric filters apply after the grouping (to a result's columns): a metric's column; otherwise metrics are aggregated in place (HAVING).</param>
internal sealed class FilterCompiler(MetricQueryCompiler.Context context, ISqlDialect dialect, string timezone, Func<ExploreField, string>? metricColumn = null)
{
    private static readonly Dictionary<string, (string Truncate, string Interval, int Multiplier)> Units = new(StringComparer.Ordinal)
    {
        ["days"] = ("day", "day", 1),
        ["weeks"] = ("week", "day", 7),
        ["months"] = ("month", "month", 1),
        ["quarters"] = ("quarter", "month", 3),
        ["years"] = ("year", "year", 1),
    };

    /// <summary>The condition of a group of rules on <paramref name="kind"/> fields.</summary>
    public string? Compile(FilterGroup group, FieldKind kind)
    {
        var parts = new List<string>();
        foreach (var item in group.Items)
        {
            var part = item switch
            {
                FilterGroup nested => Compile(nested, kind),
                FilterRule rule => CompileRule(rule, kind),
                _ => null,
            };
            if (part is not null)
            {
                parts.Add(part);
            }
        }

        var combinator = group.Combinator.ToLowerInvariant() switch
        {
            "and" => " AND ",
            "or" => " OR ",
            _ => throw new MetricQueryException($"A filter group combines with and or or, not {group.Combinator}."),
        };
        return parts.Count == 0 ? null : "(" + string.Join(combinator, parts) + ")";
    }

    private string CompileRule(FilterRule rule, FieldKind kind)
    {
        var field = context.Field(rule.FieldId, kind);
        var x = kind == FieldKind.Dimension ? context.DimensionSql(field, 0) : metricColumn?.Invoke(field) ?? context.MetricSql(field, 0);
        // A metric is compared as a number, unless it is a non-aggregate metric of another type (string, date...).
        var type = kind == FieldKind.Dimension || MetricTypes.NonAggregate.Contains(field.Type) && field.Type != "number" ? field.Type : "number";
        string Value(int index) => Literal(rule, type, index);
        string All(string separator, Func<string, string> each) =>
            "(" + string.Join(separator, Enumerable.Range(0, Need(rule, 1, int.MaxValue)).Select(i => each(Value(i)))) + ")";

        return rule.Operator switch
        {
            "isNull" => $"({x} IS NULL)",
            "notNull" => $"({x} IS NOT NULL)",
            "equals" => $"({x} IN ({string.Join(", ", Enumerable.Range(0, Need(rule, 1, int.MaxValue)).Select(Value))}))",
            "notEquals" => $"({x} NOT IN ({string.Join(", ", Enumerable.Range(0, Need(rule, 1, int.MaxValue)).Select(Value))}) OR {x} IS NULL)",
            "startsWith" => Text(rule, type, () => All(" OR ", v => $"STARTS_WITH({x}, {v})")),
            "endsWith" => Text(rule, type, () => All(" OR ", v => $"RIGHT({x}, LENGTH({v})) = {v}")),
            "include" => Text(rule, type, () => All(" OR ", v => $"STRPOS(LOWER({x}), LOWER({v})) > 0")),
            "doesNotInclude" => Text(rule, type, () => $"({All(" AND ", v => $"STRPOS(LOWER({x}), LOWER({v})) = 0")} OR {x} IS NULL)"),
            "lessThan" => Compare(rule, x, "<", Value),
            "lessThanOrEqual" => Compare(rule, x, "<=", Value),
            "greaterThan" => Compare(rule, x, ">", Value),
            "greaterThanOrEqual" => Compare(rule, x, ">=", Value),
            "inBetween" => Between(rule, x, Value, negate: false),
            "notInBetween" => Between(rule, x, Value, negate: true),
            "inThePast" or "notInThePast" or "inTheNext" or "inTheCurrent" or "notInTheCurrent" or "inPeriodToDate" => RelativeDate(rule, field, type, x),
            _ => throw new MetricQueryException($"Filter operator {rule.Operator} (on {rule.FieldId}) is not known."),
        };
    }

    private static int Need(FilterRule rule, int min, int max)
    {
        if (rule.Values.Count < min || rule.Values.Count > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            throw new MetricQueryException($"Filter {rule.Operator} on {rule.FieldId} takes {expected} value(s), not {rule.Values.Count}.");
        }

        return rule.Values.Count;
    }

    private static string Text(FilterRule rule, string type, Func<string> build) =>
        type == "string" ? build() : throw new MetricQueryException($"Filter {rule.Operator} applies to text; {rule.FieldId} is a {type}.");

    private static string Compare(FilterRule rule, string x, string op, Func<int, string> value)
    {
        Need(rule, 1, 1);
        return $"({x} {op} {value(0)})";
    }

    private static string Between(FilterRule rule, string x, Func<int, string> value, bool negate)
    {
        Need(rule, 2, 2);
        return $"({x} {(negate ? "NOT BETWEEN" : "BETWEEN")} {value(0)} AND {value(1)})";
    }

    private string RelativeDate(FilterRule rule, ExploreField field, string type, string x)
    {
        if (type is not ("date" or "timestamp"))
        {
            throw new MetricQueryException($"Filter {rule.Operator} applies to dates; {rule.FieldId} is a {type}.");
        }

        if (rule.UnitOfTime is null || !Units.TryGetValue(rule.UnitOfTime, out var unit))
        {
            throw new MetricQueryException($"Filter {rule.Operator} on {rule.FieldId} needs settings.unitOfTime: days, weeks, months, quarters or years.");
        }

        // A date dimension is compared in whole dates (today, not this instant), as Lightdash does: the
        // boundary day of "in the past 223 days" is the 223rd day back, and it is included.
        var isDate = type == "date";
        var now = isDate ? $"CAST({dialect.NowIn(timezone)} AS DATE)" : dialect.NowIn(timezone);
        var startOfUnit = isDate ? $"CAST(DATE_TRUNC('{unit.Truncate}', {now}) AS DATE)" : $"DATE_TRUNC('{unit.Truncate}', {now})";
        string Shift(string from, int units, string sign)
        {
            var shifted = $"({from} {sign} INTERVAL '{(units * unit.Multiplier).ToString(CultureInfo.InvariantCulture)} {unit.Interval}')";
            return isDate ? $"CAST({shifted} AS DATE)" : shifted;
        }
        int Count()
        {
            Need(rule, 1, 1);
            return int.TryParse(rule.Values[0].Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 100_000
                ? n
                : throw new MetricQueryException($"Filter {rule.Operator} on {rule.FieldId} takes a whole number of {rule.UnitOfTime} (1 or more), not \"{rule.Values[0].Text}\".");
        }

        var current = $"({x} >= {startOfUnit} AND {x} < {Shift(startOfUnit, 1, "+")})";
        return rule.Operator switch
        {
            "inThePast" => InThePast(Count()),
            "notInThePast" => $"(NOT {InThePast(Count())} OR {x} IS NULL)",
            "inTheNext" => rule.Completed
                ? $"({x} >= {Shift(startOfUnit, 1, "+")} AND {x} < {Shift(startOfUnit, Count() + 1, "+")})"
                : $"({x} >= {now} AND {x} <= {Shift(now, Count(), "+")})",
            "inTheCurrent" => current,
            "notInTheCurrent" => $"(NOT {current} OR {x} IS NULL)",
            "inPeriodToDate" => $"({x} >= {startOfUnit} AND {x} <= {now})",
            _ => throw new MetricQueryException($"Filter operator {rule.Operator} is not known."),
        };

        string InThePast(int n) => rule.Completed
            ? $"({x} >= {Shift(startOfUnit, n, "-")} AND {x} < {startOfUnit})"
            : $"({x} >= {Shift(now, n, "-")} AND {x} <= {now})";
    }

    /// <summary>A value as a SQL literal of the field's type.</summary>
    private string Literal(FilterRule rule, string type, int index)
    {
        var value = rule.Values[index];
        switch (type)
        {
            case "number":
                return decimal.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? number.ToString(CultureInfo.InvariantCulture)
                    : throw new MetricQueryException($"Filter value \"{value.Text}\" for {rule.FieldId} is not a number.");
            case "boolean":
                return bool.TryParse(value.Text, out var flag)
                    ? (flag ? "TRUE" : "FALSE")
                    : throw new MetricQueryException($"Filter value \"{value.Text}\" for {rule.FieldId} is not true or false.");
            case "date":
                return DateTime.TryParse(value.Text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
                    ? $"DATE '{date:yyyy-MM-dd}'"
                    : throw new MetricQueryException($"Filter value \"{value.Text}\" for {rule.FieldId} is not a date (yyyy-MM-dd).");
            case "timestamp":
                return DateTime.TryParse(value.Text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var instant)
                    ? $"TIMESTAMP '{instant:yyyy-MM-dd HH:mm:ss.ffffff}'"
                    : throw new MetricQueryException($"Filter value \"{value.Text}\" for {rule.FieldId} is not a timestamp (ISO 8601).");
            default:
                try
                {
                    return dialect.QuoteString(value.Text);
                }
                catch (ArgumentException e)
                {
                    throw new MetricQueryException($"Filter value for {rule.FieldId}: {e.Message}");
                }
        }
    }
}
