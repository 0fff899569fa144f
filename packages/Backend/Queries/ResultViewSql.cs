using System.Globalization;
using System.Text;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Common;
using Lightdash.Net.Warehouses.DuckDb;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// The SQL of a sorted, filtered view of a stored result: every column checked against the result's,
/// every operator against a fixed list, every value parsed as the column's type and written as a
/// DuckDB literal (numbers and booleans re-printed, dates and timestamps parsed, text quoted).
/// </summary>
public static class ResultViewSql
{
    /// <summary>The table name of the viewed result.</summary>
    public const string Table = "result";

    /// <summary>The most filters and sorts of one view.</summary>
    public const int MaxRules = 50;

    private static readonly DuckDbSqlDialect Dialect = DuckDbSqlDialect.Instance;

    /// <summary>The view's SQL; a 400 naming an unknown column, operator or a value of the wrong type.</summary>
    public static string Build(IReadOnlyList<ResultColumn> columns, IReadOnlyList<ResultViewFilter> filters, IReadOnlyList<ResultViewSort> sorts)
    {
        if (filters.Count > MaxRules || sorts.Count > MaxRules)
        {
            throw new ValidationException($"A view takes at most {MaxRules} filters and {MaxRules} sorts.");
        }

        var byName = columns.ToDictionary(c => c.Reference, StringComparer.Ordinal);
        ResultColumn Column(string? name) => name is not null && byName.TryGetValue(name, out var column)
            ? column
            : throw new ValidationException($"Column \"{name}\" is not a column of the result (columns: {string.Join(", ", columns.Select(c => c.Reference))}).");

        var sql = new StringBuilder($"SELECT * FROM {Dialect.QuoteIdentifier(Table)}");
        var conditions = filters.Select(filter => Condition(Column(filter.Column), filter)).ToList();
        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        if (sorts.Count > 0)
        {
            sql.Append(" ORDER BY ").AppendJoin(", ", sorts.Select(s => $"{Dialect.QuoteIdentifier(Column(s.Column).Reference)} {(s.Descending ? "DESC" : "ASC")} NULLS LAST"));
        }

        return sql.ToString();
    }

    private static string Condition(ResultColumn column, ResultViewFilter filter)
    {
        var x = Dialect.QuoteIdentifier(column.Reference);
        var values = filter.Values ?? [];
        string Value(int index) => index < values.Count
            ? Literal(column, values[index])
            : throw new ValidationException($"Filter {filter.Operator} on {column.Reference} needs {index + 1} value(s).");
        string List() => values.Count > 0
            ? string.Join(", ", values.Select(v => Literal(column, v)))
            : throw new ValidationException($"Filter {filter.Operator} on {column.Reference} needs at least one value.");
        string Text(string op) => column.Type == DimensionType.String
            ? op
            : throw new ValidationException($"Filter {filter.Operator} applies to text; {column.Reference} is a {column.Type.ToString().ToLowerInvariant()}.");

        return filter.Operator switch
        {
            "equals" => $"{x} IN ({List()})",
            "notEquals" => $"({x} NOT IN ({List()}) OR {x} IS NULL)",
            "isNull" => $"{x} IS NULL",
            "notNull" => $"{x} IS NOT NULL",
            "lessThan" => $"{x} < {Value(0)}",
            "lessThanOrEqual" => $"{x} <= {Value(0)}",
            "greaterThan" => $"{x} > {Value(0)}",
            "greaterThanOrEqual" => $"{x} >= {Value(0)}",
            "inBetween" => $"{x} BETWEEN {Value(0)} AND {Value(1)}",
            "include" => Text($"contains(lower({x}), lower({Value(0)}))"),
            "startsWith" => Text($"starts_with({x}, {Value(0)})"),
            "endsWith" => Text($"ends_with({x}, {Value(0)})"),
            _ => throw new ValidationException(
                $"Filter operator \"{filter.Operator}\" is not one of equals, notEquals, isNull, notNull, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual, inBetween, include, startsWith, endsWith."),
        };
    }

    private static string Literal(ResultColumn column, System.Text.Json.JsonElement value)
    {
        var text = value.ValueKind switch
        {
            System.Text.Json.JsonValueKind.String => value.GetString()!,
            System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => value.GetRawText(),
            _ => throw new ValidationException($"Values for {column.Reference} are strings, numbers or booleans, not {value.ValueKind}."),
        };
        try
        {
            return column.Type switch
            {
                DimensionType.Number => decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? number.ToString(CultureInfo.InvariantCulture)
                    : throw new ValidationException($"\"{text}\" is not a number (column {column.Reference})."),
                DimensionType.Boolean => bool.TryParse(text, out var flag) ? (flag ? "TRUE" : "FALSE") : throw new ValidationException($"\"{text}\" is not true or false (column {column.Reference})."),
                DimensionType.Date => DateOnly.TryParse(text, CultureInfo.InvariantCulture, out var date)
                    ? $"DATE '{date:yyyy-MM-dd}'"
                    : throw new ValidationException($"\"{text}\" is not a date (column {column.Reference})."),
                DimensionType.Timestamp => DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var instant)
                    ? $"TIMESTAMP '{instant:yyyy-MM-dd HH:mm:ss.ffffff}'"
                    : throw new ValidationException($"\"{text}\" is not a timestamp (column {column.Reference})."),
                _ => Dialect.QuoteString(text),
            };
        }
        catch (ArgumentException e)
        {
            throw new ValidationException(e.Message);
        }
    }
}
