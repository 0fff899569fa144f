using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Lightdash.Net.Common;

namespace Lightdash.Net.Semantic;

/// <summary>The SQL of a metric query and the fields of its result columns, in order.</summary>
/// <param name="Sql">The SQL, in the warehouse's dialect.</param>
/// <param name="Fields">The selected fields: dimensions, then metrics (column names are their ids).</param>
public sealed record CompiledMetricQuery(string Sql, IReadOnlyList<ExploreField> Fields);

/// <summary>
/// Compiles a metric query over an explore into one SQL statement in a warehouse's dialect: selected
/// dimensions grouped, metrics aggregated, only the joins the query needs, dimension filters in WHERE,
/// metric filters in HAVING. Field references come from the explore only; every user value is a
/// checked number or date, or a string literal quoted by the dialect. A join that would inflate a
/// selected metric (fan-out) is refused, naming the join.
/// </summary>
public sealed partial class MetricQueryCompiler(ISqlDialect dialect)
{
    private const int MaxTemplateDepth = 20;
    private static readonly HashSet<string> FanOutSafeMetrics = ["count_distinct", "sum_distinct", "average_distinct", "min", "max"];

    /// <summary>
    /// Compiles the query for a caller; throws <see cref="MetricQueryException"/> naming what is wrong
    /// (400), or <see cref="AccessDeniedException"/> naming the explore, field or attribute the caller's
    /// user attributes do not allow (403).
    /// </summary>
    /// <param name="explore">The explore the query asks.</param>
    /// <param name="query">The query.</param>
    /// <param name="variables">The request's parameter values and the caller (their attributes decide access, and fill <c>${ld.attr.*}</c>).</param>
    public CompiledMetricQuery Compile(Explore explore, MetricQuery query, QueryVariables? variables = null)
    {
        variables ??= QueryVariables.None;
        if (!AttributeRequirement.AllowAll(explore.Access, variables.User))
        {
            throw new AccessDeniedException($"You do not have access to explore {explore.Name}.");
        }

        var context = new Context(explore, dialect, variables);
        var dimensions = query.Dimensions.Distinct(StringComparer.Ordinal).Select(id => context.Field(id, FieldKind.Dimension)).ToList();
        var metrics = query.Metrics.Distinct(StringComparer.Ordinal).Select(id => context.Field(id, FieldKind.Metric)).ToList();
        if (dimensions.Count + metrics.Count == 0)
        {
            throw new MetricQueryException("Select at least one dimension or metric.");
        }

        if (query.Limit < 1)
        {
            throw new MetricQueryException($"limit must be 1 or more (got {query.Limit}).");
        }

        var selected = dimensions.Concat(metrics).ToList();
        var calculations = query.TableCalculations ?? [];
        CheckCalculationsAndSorts(query, selected, calculations);

        var postMetrics = metrics.Where(m => m.IsPostCalculation).ToList();
        var filteredPostMetrics = query.MetricFilters is { } metricFilterTree
            ? RuleFields(metricFilterTree).Select(id => explore.Fields.GetValueOrDefault(id)).OfType<ExploreField>().Where(f => f.IsPostCalculation).ToList()
            : [];
        var filtersAfterWindows = filteredPostMetrics.Count > 0;
        postMetrics = [.. postMetrics, .. filteredPostMetrics.Where(f => !postMetrics.Contains(f)).DistinctBy(f => f.Id)];
        var sql = postMetrics.Count == 0 && !filtersAfterWindows
            ? GroupedQuery(context, query, dimensions, metrics, [], having: true)
            : WindowedQuery(context, query, dimensions, metrics, postMetrics, filtersAfterWindows);
        sql = WithCalculations(sql, calculations, selected);
        AppendOrderAndLimit(sql, query, dimensions, metrics, postMetrics);
        return new CompiledMetricQuery(sql.ToString(), selected);
    }

    private static void CheckCalculationsAndSorts(MetricQuery query, List<ExploreField> selected, IReadOnlyList<TableCalculation> calculations)
    {
        foreach (var calculation in calculations)
        {
            if (!CalculationName().IsMatch(calculation.Name) || selected.Any(f => f.Id == calculation.Name) || calculations.Count(c => c.Name == calculation.Name) > 1)
            {
                throw new MetricQueryException($"Table calculation name \"{calculation.Name}\" must be unique, of letters, digits and _, and not a field id.");
            }
        }

        foreach (var sort in query.Sorts)
        {
            if (!selected.Any(f => f.Id == sort.FieldId) && !calculations.Any(c => c.Name == sort.FieldId))
            {
                throw new MetricQueryException($"Sort field {sort.FieldId} is not selected; sort by a selected dimension, metric or table calculation.");
            }
        }
    }

    // Calculations see the whole grouped result (window functions included), then the order and limit apply.
    private StringBuilder WithCalculations(StringBuilder sql, IReadOnlyList<TableCalculation> calculations, List<ExploreField> selected)
    {
        if (calculations.Count == 0)
        {
            return sql;
        }

        var outer = new StringBuilder("SELECT\n  lightdash_metrics.*");
        foreach (var calculation in calculations)
        {
            var expression = Reference().Replace(calculation.Sql, match =>
            {
                var id = match.Groups[2].Success ? $"{match.Groups[1].Value}_{match.Groups[2].Value}" : match.Groups[1].Value;
                return selected.Any(f => f.Id == id)
                    ? "lightdash_metrics." + dialect.QuoteIdentifier(id)
                    : throw new MetricQueryException($"Table calculation {calculation.Name} refers to {id}, which is not a selected field.");
            });
            outer.Append(",\n  (").Append(expression).Append(") AS ").Append(dialect.QuoteIdentifier(calculation.Name));
        }

        return outer.Append("\nFROM (\n").Append(sql).Append("\n) AS lightdash_metrics");
    }

    private void AppendOrderAndLimit(StringBuilder sql, MetricQuery query, List<ExploreField> dimensions, List<ExploreField> metrics, List<ExploreField> postMetrics)
    {
        var orderBy = query.Sorts.Select(sort => $"{dialect.QuoteIdentifier(sort.FieldId)} {(sort.Descending ? "DESC" : "ASC")}").ToList();
        if (orderBy.Count == 0)
        {
            // A stable default, so that pages of the result follow one order.
            orderBy.Add(metrics.Count > 0 ? $"{dialect.QuoteIdentifier(metrics[0].Id)} DESC" : $"{dialect.QuoteIdentifier(dimensions[0].Id)} ASC");
        }

        if (postMetrics.Count > 0)
        {
            // Ties broken as the windows broke them, so running totals read down the rows as computed.
            orderBy.AddRange(dimensions.Where(d => query.Sorts.All(s => s.FieldId != d.Id)).Select(d => $"{dialect.QuoteIdentifier(d.Id)} ASC"));
        }

        sql.Append("\nORDER BY ").AppendJoin(", ", orderBy);
        sql.Append("\nLIMIT ").Append(query.Limit.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The grouped query: dimensions grouped, aggregates and expressions over them, WHERE and (unless filters wait for the windows) HAVING.</summary>
    private StringBuilder GroupedQuery(Context context, MetricQuery query, List<ExploreField> dimensions, List<ExploreField> metrics, List<ExploreField> helpers, bool having)
    {
        var explore = context.Explore;
        var select = new List<string>();
        foreach (var field in dimensions)
        {
            select.Add($"{context.DimensionSql(field, 0)} AS {dialect.QuoteIdentifier(field.Id)}");
        }

        foreach (var field in metrics.Where(m => !m.IsPostCalculation).Concat(helpers))
        {
            select.Add($"{context.MetricSql(field, 0)} AS {dialect.QuoteIdentifier(field.Id)}");
        }

        var filters = new FilterCompiler(context, dialect, query.Timezone ?? "UTC");
        var where = query.DimensionFilters is { } dimensionFilters ? filters.Compile(dimensionFilters, FieldKind.Dimension) : null;
        if (explore.SqlFilter is { } rowFilter)
        {
            // The model's row filter: always there, whatever the caller's own filters say.
            var required = "(" + context.Render(rowFilter, explore.Tables[0].Name, 0, allowMetrics: false) + ")";
            where = where is null ? required : $"{required} AND {where}";
        }
        var havingSql = query.MetricFilters is { } metricFilters && having ? filters.Compile(metricFilters, FieldKind.Metric) : null;

        context.CheckFanOut();
        var sql = new StringBuilder("SELECT\n  ").AppendJoin(",\n  ", select);
        var baseTable = explore.Tables[0];
        sql.Append("\nFROM ").Append(baseTable.SqlFrom).Append(" AS ").Append(dialect.QuoteIdentifier(baseTable.Name));
        foreach (var table in explore.Tables.Skip(1).Where(t => context.UsedTables.Contains(t.Name)))
        {
            sql.Append('\n').Append(table.Join!.Type == "inner" ? "INNER JOIN " : $"{table.Join.Type.ToUpperInvariant()} OUTER JOIN ")
                .Append(table.SqlFrom).Append(" AS ").Append(dialect.QuoteIdentifier(table.Name))
                .Append("\n  ON ").Append(context.Render(table.Join.SqlOn, baseTable.Name, 0, allowMetrics: false));
        }

        if (where is not null)
        {
            sql.Append("\nWHERE ").Append(where);
        }

        if (dimensions.Count > 0)
        {
            sql.Append("\nGROUP BY ").AppendJoin(", ", Enumerable.Range(1, dimensions.Count));
        }

        if (havingSql is not null)
        {
            sql.Append("\nHAVING ").Append(havingSql);
        }

        return sql;
    }

    /// <summary>
    /// Post-calculation metrics: the grouped query (with any metric they or the filters need), then
    /// one window per post-calculation metric over its rows in the order of the query's sorts, then
    /// metric filters (which may test those windows), then only the selected columns.
    /// </summary>
    private StringBuilder WindowedQuery(Context context, MetricQuery query, List<ExploreField> dimensions, List<ExploreField> metrics, List<ExploreField> postMetrics, bool filtersAfterWindows)
    {
        const string Grouped = "lightdash_grouped";
        const string Windowed = "lightdash_windowed";
        var columns = new HashSet<string>(dimensions.Concat(metrics.Where(m => !m.IsPostCalculation)).Select(f => f.Id), StringComparer.Ordinal);
        var helpers = new List<ExploreField>();
        void Need(ExploreField metric)
        {
            if (!metric.IsPostCalculation && columns.Add(metric.Id))
            {
                helpers.Add(metric);
            }
        }

        var windows = new List<string>();
        var orderClause = WindowOrder(query, dimensions, columns, Grouped);
        foreach (var metric in postMetrics)
        {
            var window = WindowOf(metric, context.RenderOverGrouped(metric, Grouped, Need), orderClause);
            windows.Add($"{window} AS {dialect.QuoteIdentifier(metric.Id)}");
        }

        string? filter = null;
        if (filtersAfterWindows)
        {
            foreach (var id in RuleFields(query.MetricFilters!))
            {
                Need(context.Field(id, FieldKind.Metric));
            }

            filter = new FilterCompiler(context, dialect, query.Timezone ?? "UTC", metric => $"{Windowed}.{dialect.QuoteIdentifier(metric.Id)}")
                .Compile(query.MetricFilters!, FieldKind.Metric);
        }

        var grouped = GroupedQuery(context, query, dimensions, metrics, helpers, having: !filtersAfterWindows);

        var sql = new StringBuilder("SELECT\n  ")
            .AppendJoin(",\n  ", selectedColumns())
            .Append("\nFROM (\nSELECT\n  ").Append(Grouped).Append(".*");
        foreach (var window in windows)
        {
            sql.Append(",\n  ").Append(window);
        }

        sql.Append("\nFROM (\n").Append(grouped).Append("\n) AS ").Append(Grouped).Append("\n) AS ").Append(Windowed);
        if (filter is not null)
        {
            sql.Append("\nWHERE ").Append(filter);
        }

        return sql;

        IEnumerable<string> selectedColumns() =>
            dimensions.Concat(metrics).Select(f => $"{Windowed}.{dialect.QuoteIdentifier(f.Id)}");
    }

    /// <summary>The order the windows run in: the query's sorts on grouped columns, then the other dimensions.</summary>
    private string WindowOrder(MetricQuery query, List<ExploreField> dimensions, HashSet<string> columns, string grouped)
    {
        var windowOrder = query.Sorts
            .Where(s => columns.Contains(s.FieldId))
            .Select(s => $"{grouped}.{dialect.QuoteIdentifier(s.FieldId)} {(s.Descending ? "DESC" : "ASC")}")
            .Concat(dimensions.Where(d => query.Sorts.All(s => s.FieldId != d.Id)).Select(d => $"{grouped}.{dialect.QuoteIdentifier(d.Id)} ASC"))
            .ToList();
        return windowOrder.Count == 0 ? "" : "ORDER BY " + string.Join(", ", windowOrder);
    }

    /// <summary>A post-calculation metric as a window over the grouped rows.</summary>
    private static string WindowOf(ExploreField metric, string expression, string orderClause) => metric.Type switch
    {
        "running_total" => $"SUM({expression}) OVER ({orderClause}{(orderClause.Length > 0 ? " " : "")}ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
        "percent_of_total" => $"(CAST({expression} AS FLOAT8) / CAST(NULLIF(SUM({expression}) OVER (), 0) AS FLOAT8))",
        "percent_of_previous" => $"(CAST({expression} AS FLOAT8) / CAST(NULLIF(LAG({expression}) OVER ({orderClause}), 0) AS FLOAT8))",
        _ => throw new MetricQueryException($"Metric {metric.Id} has type {metric.Type}, which is not a post-calculation type."),
    };

    /// <summary>The field ids a filter tree's rules test.</summary>
    private static IEnumerable<string> RuleFields(FilterGroup group) =>
        group.Items.SelectMany(item => item switch
        {
            FilterGroup nested => RuleFields(nested),
            FilterRule rule => [rule.FieldId],
            _ => [],
        });

    /// <summary>
    /// A row condition (no grouping) for filters on an explore's dimensions: how dashboard filters
    /// apply to a saved SQL chart, whose columns are described as a one-table explore.
    /// </summary>
    public string CompileRowFilter(Explore explore, FilterGroup filters) =>
        new FilterCompiler(new Context(explore, dialect, QueryVariables.None), dialect, "UTC").Compile(filters, FieldKind.Dimension) ?? "TRUE";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex CalculationName();

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\}")]
    internal static partial Regex Reference();
}
