using Lightdash.Net.Common;

namespace Lightdash.Net.Semantic;

// MetricQueryCompiler, continued: context.
public sealed partial class MetricQueryCompiler
{
    /// <summary>Resolves fields and renders their templated SQL, remembering which tables and metrics it used.</summary>
    internal sealed class Context(Explore explore, ISqlDialect dialect, QueryVariables variables)
    {
        private readonly HashSet<string> _aggregatedMetrics = [];

        public HashSet<string> UsedTables { get; } = [explore.Tables[0].Name, .. explore.Tables.Where(t => t.Join?.Always == true).Select(t => t.Name)];

        public Explore Explore => explore;

        public ExploreField Field(string id, FieldKind kind)
        {
            if (!explore.Fields.TryGetValue(id, out var field))
            {
                throw new MetricQueryException($"Field {id} does not exist in explore {explore.Name}.");
            }

            return field.Kind == kind
                ? Check(field)
                : throw new MetricQueryException($"Field {id} is a {field.Kind.ToString().ToLowerInvariant()}, not a {kind.ToString().ToLowerInvariant()}.");
        }

        public string DimensionSql(ExploreField field, int depth)
        {
            UsedTables.Add(field.Table);
            if (field.TimeInterval is { } interval && field.BaseDimension is { } baseName)
            {
                var baseField = Field($"{field.Table}_{baseName}", FieldKind.Dimension);
                var column = DimensionSql(baseField, depth + 1);
                return field.IntervalSql is { } custom
                    ? "(" + Render(custom.Replace("${COLUMN}", column, StringComparison.Ordinal), field.Table, depth, allowMetrics: false) + ")"
                    : dialect.TruncateDate(column, interval);
            }

            return "(" + Render(field.Sql, field.Table, depth, allowMetrics: false) + ")";
        }

        public string MetricSql(ExploreField field, int depth)
        {
            UsedTables.Add(field.Table);
            if (field.IsPostCalculation)
            {
                throw new MetricQueryException($"Metric {field.Id} ({field.Type}) is computed over the grouped result; other metrics' SQL cannot refer to it.");
            }

            if (!field.IsAggregate)
            {
                return "(" + Render(field.Sql, field.Table, depth, allowMetrics: true) + ")";
            }

            _aggregatedMetrics.Add(field.Id);
            var expression = field.Sql == "*" ? "*" : Render(field.Sql, field.Table, depth, allowMetrics: false);
            if (field.MetricFilters is { Count: > 0 } filters)
            {
                // Only matching rows count: the aggregate sees NULL for the others.
                var condition = string.Join(" AND ", filters.Select(f => MetricFilterSql(field, f, depth)));
                expression = $"CASE WHEN {condition} THEN {(expression == "*" ? "1" : expression)} END";
            }

            return field.Type switch
            {
                "count" => $"COUNT({expression})",
                "count_distinct" => $"COUNT(DISTINCT {expression})",
                "sum" => $"SUM({expression})",
                "average" => $"AVG({expression})",
                "min" => $"MIN({expression})",
                "max" => $"MAX({expression})",
                "median" => dialect.Median(expression),
                "percentile" => dialect.Percentile(expression, field.Percentile ?? 50),
                "sum_distinct" => dialect.SumDistinct(DistinctKeySql(field, depth), expression),
                "average_distinct" => dialect.AverageDistinct(DistinctKeySql(field, depth), expression),
                _ => throw new MetricQueryException($"Metric {field.Id} has type {field.Type}, which cannot be compiled."),
            };
        }

        /// <summary>
        /// A post-calculation metric's argument over the grouped result: each metric it refers to is a
        /// column of <paramref name="grouped"/> (<paramref name="need"/> adds it there when not selected).
        /// </summary>
        public string RenderOverGrouped(ExploreField metric, string grouped, Action<ExploreField> need) =>
            "(" + SqlVariables.Render(metric.Sql, variables, dialect, (first, second) =>
            {
                var id = second is not null ? $"{first}_{second}" : $"{metric.Table}_{first}";
                if (!explore.Fields.TryGetValue(id, out var field) || field.Kind != FieldKind.Metric || field.IsPostCalculation)
                {
                    throw new MetricQueryException($"Metric {metric.Id} ({metric.Type}) refers to {id}; it can refer only to aggregate and non-aggregate metrics.");
                }

                need(Check(field));
                return $"{grouped}.{dialect.QuoteIdentifier(field.Id)}";
            }) + ")";

        /// <summary>The field, when the caller's attributes allow it; a 403 naming it otherwise.</summary>
        public ExploreField Check(ExploreField field) =>
            AttributeRequirement.AllowAll(field.Access, variables.User)
                ? field
                : throw new AccessDeniedException($"You do not have access to field {field.Id}.");

        private List<string> DistinctKeySql(ExploreField metric, int depth) =>
            (metric.DistinctKeys ?? []).Select(key =>
                explore.Fields.TryGetValue($"{metric.Table}_{key}", out var dimension) && dimension.Kind == FieldKind.Dimension
                    ? DimensionSql(Check(dimension), depth + 1)
                    : throw new MetricQueryException($"Metric {metric.Id} has distinct key {key}, which is not a dimension of {metric.Table}.")).ToList();

        private string MetricFilterSql(ExploreField metric, MetricFilter filter, int depth)
        {
            var dimensionId = $"{metric.Table}_{filter.Dimension}";
            if (!explore.Fields.TryGetValue(dimensionId, out var dimension) || dimension.Kind != FieldKind.Dimension)
            {
                throw new MetricQueryException($"Metric {metric.Id} filters on {filter.Dimension}, which is not a dimension of {metric.Table}.");
            }

            Check(dimension);

            var values = filter.Values.Select(v => dimension.Type switch
            {
                "number" => decimal.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)
                    ? n.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : throw new MetricQueryException($"Metric {metric.Id} filters {filter.Dimension} on \"{v}\", which is not a number."),
                "boolean" => bool.TryParse(v, out var b) ? (b ? "TRUE" : "FALSE") : throw new MetricQueryException($"Metric {metric.Id} filters {filter.Dimension} on \"{v}\", which is not true or false."),
                _ => dialect.QuoteString(v),
            });
            return $"{DimensionSql(dimension, depth + 1)} IN ({string.Join(", ", values)})";
        }

        /// <summary>Replaces <c>${TABLE}</c>, <c>${field}</c> and <c>${table.field}</c> in a model's SQL.</summary>
        public string Render(string template, string table, int depth, bool allowMetrics)
        {
            if (depth > MaxTemplateDepth)
            {
                throw new MetricQueryException($"Field references in {table} go more than {MaxTemplateDepth} deep (a reference cycle?).");
            }

            return SqlVariables.Render(template, variables, dialect, (first, second) => second is null
                ? first == "TABLE" ? dialect.QuoteIdentifier(table) : ReferTo($"{table}_{first}", depth, allowMetrics)
                : ReferTo($"{first}_{second}", depth, allowMetrics));
        }

        /// <summary>Refuses metrics that a selected join would count more than once.</summary>
        public void CheckFanOut()
        {
            var baseTable = explore.Tables[0].Name;
            foreach (var table in explore.Tables.Skip(1).Where(t => UsedTables.Contains(t.Name)))
            {
                var relationship = table.Join!.Relationship;
                foreach (var metricId in _aggregatedMetrics)
                {
                    var metric = explore.Fields[metricId];
                    if (FanOutSafeMetrics.Contains(metric.Type))
                    {
                        continue;
                    }

                    var inflated = (metric.Table == baseTable && relationship is "one-to-many" or "many-to-many")
                        || (metric.Table == table.Name && relationship is "many-to-one" or "many-to-many");
                    if (inflated)
                    {
                        throw new MetricQueryException(
                            $"Metric {metric.Id} ({metric.Type}) would be inflated by the join to {table.Name} ({relationship}): " +
                            $"each {(metric.Table == baseTable ? baseTable : table.Name)} row would be counted once per matching row. " +
                            "Use a count_distinct, min or max metric, or leave the joined table's fields out.");
                    }
                }
            }
        }

        private string ReferTo(string id, int depth, bool allowMetrics)
        {
            var field = explore.Fields.GetValueOrDefault(id) ?? explore.ReferenceFields?.GetValueOrDefault(id);
            if (field is null)
            {
                throw new MetricQueryException($"A field's SQL refers to {id}, which does not exist in explore {explore.Name}.");
            }

            Check(field);

            if (field.Kind == FieldKind.Metric)
            {
                return allowMetrics
                    ? MetricSql(field, depth + 1)
                    : throw new MetricQueryException($"Dimension SQL cannot refer to metric {id}.");
            }

            return DimensionSql(field, depth + 1);
        }
    }
}
