using System.Text;
using Lightdash.Net.Common;

namespace Lightdash.Net.Semantic;

/// <summary>
/// Wraps a saved SQL chart's SQL so that dashboard filters and sorts apply to its columns by name:
/// <c>SELECT * FROM (sql) AS lightdash_sql WHERE ... ORDER BY ...</c>. Pure: the columns come from
/// the chart's stored result, never from a warehouse call here.
/// </summary>
public static class SqlChartFilters
{
    /// <summary>The alias of the chart's SQL in the wrapper.</summary>
    public const string Table = "lightdash_sql";

    /// <summary>
    /// The wrapped SQL. <paramref name="filters"/> name columns by their names; a rule on a column the
    /// SQL does not have, or a sort on one, is a <see cref="MetricQueryException"/>.
    /// </summary>
    public static string Wrap(string sql, IReadOnlyList<ResultColumn> columns, FilterGroup? filters, IReadOnlyList<SortField> sorts, ISqlDialect dialect)
    {
        var names = columns.Select(c => c.Reference).ToHashSet(StringComparer.Ordinal);
        var builder = new StringBuilder("SELECT * FROM (\n").Append(SqlText.TrimTrailingSemicolons(sql)).Append("\n) AS ").Append(dialect.QuoteIdentifier(Table));
        if (filters is { Items.Count: > 0 })
        {
            // The columns as a one-table explore, so that the rules compile like any dashboard filter.
            var explore = ExploreOf(columns, dialect);
            builder.Append("\nWHERE ").Append(new MetricQueryCompiler(dialect).CompileRowFilter(explore, Prefixed(filters)));
        }

        foreach (var sort in sorts.Where(s => !names.Contains(s.FieldId)))
        {
            throw new MetricQueryException($"Sort field {sort.FieldId} is not a column of the SQL chart.");
        }

        if (sorts.Count > 0)
        {
            builder.Append("\nORDER BY ").AppendJoin(", ", sorts.Select(s => $"{dialect.QuoteIdentifier(s.FieldId)} {(s.Descending ? "DESC" : "ASC")}"));
        }

        return builder.ToString();
    }

    private static Explore ExploreOf(IReadOnlyList<ResultColumn> columns, ISqlDialect dialect)
    {
        var fields = columns.ToDictionary(
            c => FieldId(c.Reference),
            c => new ExploreField(
                FieldId(c.Reference), c.Reference, Table, FieldKind.Dimension, c.Type.ToString().ToLowerInvariant(),
                c.Reference, null, "${TABLE}." + dialect.QuoteIdentifier(c.Reference), false, null, null),
            StringComparer.Ordinal);
        return new Explore(Table, Table, null, "", [new(Table, Table, Table, Table, null)], fields);
    }

    private static FilterGroup Prefixed(FilterGroup group) => group with
    {
        Items = group.Items.Select(item => item switch
        {
            FilterGroup inner => Prefixed(inner),
            FilterRule rule => (FilterNode)(rule with { FieldId = FieldId(rule.FieldId) }),
            _ => item,
        }).ToList(),
    };

    private static string FieldId(string column) => $"{Table}_{column}";
}
