using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

// ModelFileLoader, continued: metrics.
public static partial class ModelFileLoader
{
    private static void ReadMetric(ModelDefinition model, string metricName, YamlNode node, string? defaultSql, LoadContext context)
    {
        var problems = context.Problems;
        if (node is not YamlMappingNode metric)
        {
            problems.Error(model, metricName, node.Line(), "A metric must be a mapping with at least a type.");
            return;
        }

        problems.WarnUnknown(model, metricName, metric, [.. MetricKeys, .. MetricShownKeys], "metric");
        var type = metric.Text("type");
        if (type is null || !MetricTypes.All.Contains(type))
        {
            problems.Error(model, metricName, metric.Line(), $"Metric type \"{type}\" is not one of {string.Join(", ", MetricTypes.All)}.");
            return;
        }

        var sql = metric.Text("sql") ?? (MetricTypes.Aggregate.Contains(type) ? defaultSql : null);
        if (sql is null && type != "count")
        {
            problems.Error(
                model, metricName, metric.Line(),
                MetricTypes.Aggregate.Contains(type) ? $"A {type} metric defined on the model needs sql." : $"A {type} metric needs sql referring to other metrics (${{metric_name}}).");
            return;
        }

        if (type == "percentile" && metric.Number("percentile") is not (>= 0 and <= 100))
        {
            problems.Error(model, metricName, metric.Line(), "A percentile metric needs percentile: a number from 0 to 100.");
            return;
        }

        if (!TryReadDistinctKeys(model, metricName, metric, type, problems, out var distinctKeys)
            || ReadMetricFilters(model, metricName, metric, problems) is not { } filters)
        {
            return;
        }

        if (metric.Child("default_time_dimension") is { } defaultTime)
        {
            model.MetricDefaultTimeDimensions.Add((metricName, defaultTime));
        }

        model.Add(
            new FieldDefinition(
                metricName, FieldKind.Metric, type, metric.Text("label") ?? FriendlyNames.Of(metricName), context.Describe(model, metricName, metric.Line(), metric.Text("description")),
                sql ?? "*", metric.Flag("hidden") ?? false, metric.Text("format"), metric.Number("round"), metric.Line(),
                Percentile: type == "percentile" ? metric.Number("percentile") : null,
                MetricFilters: filters.Count > 0 ? filters : null, DistinctKeys: distinctKeys,
                Presentation: Shown(metric, MetricShownKeys), Access: ReadAccess(model, metricName, metric, problems)),
            model.Fields,
            problems);
    }

    /// <summary>A distinct metric's distinct_keys (one dimension or a list); false after an error. Other metrics have none.</summary>
    private static bool TryReadDistinctKeys(ModelDefinition model, string metricName, YamlMappingNode metric, string type, Problems problems, out List<string>? distinctKeys)
    {
        distinctKeys = null;
        if (type is not ("sum_distinct" or "average_distinct"))
        {
            return true;
        }

        distinctKeys = metric.Child("distinct_keys") switch
        {
            YamlScalarNode { Value: { Length: > 0 } one } => [one],
            YamlSequenceNode many => many.OfType<YamlScalarNode>().Select(v => v.Value ?? "").Where(v => v.Length > 0).ToList(),
            _ => null,
        };
        if (distinctKeys is { Count: > 0 })
        {
            return true;
        }

        problems.Error(model, metricName, metric.Line(), $"A {type} metric needs distinct_keys: the dimension (or list of dimensions) that identifies each counted row.");
        return false;
    }

    /// <summary>Lightdash's shape: a list of { dimension: value } (or { dimension: [values] }) mappings, all of which must hold; null after an error.</summary>
    private static List<MetricFilter>? ReadMetricFilters(ModelDefinition model, string metricName, YamlMappingNode metric, Problems problems)
    {
        var filters = new List<MetricFilter>();
        if (metric.Child("filters") is not { } filterNode)
        {
            return filters;
        }

        foreach (var item in filterNode is YamlSequenceNode list ? list.Children : [filterNode])
        {
            if (item is not YamlMappingNode condition)
            {
                problems.Error(model, metricName, item.Line(), "Metric filters are a list of { dimension: value } conditions.");
                return null;
            }

            foreach (var (dimension, value) in condition.Entries())
            {
                var values = value switch
                {
                    YamlScalarNode { Value: { } one } => [one],
                    YamlSequenceNode many => many.OfType<YamlScalarNode>().Select(v => v.Value ?? "").ToList(),
                    _ => null,
                };
                if (values is null || values.Count == 0)
                {
                    problems.Error(model, metricName, value.Line(), $"The filter on {dimension} needs a value or a list of values.");
                    return null;
                }

                filters.Add(new MetricFilter(dimension, values));
            }
        }

        return filters;
    }

    private static List<JoinDefinition> ReadJoins(ModelDefinition model, YamlSequenceNode joins, Problems problems)
    {
        var found = new List<JoinDefinition>();
        foreach (var node in joins)
        {
            if (node is not YamlMappingNode join || join.Text("join") is not { Length: > 0 } target)
            {
                problems.Error(model, null, node.Line(), "A join needs the model to join (join: <model>).");
                continue;
            }

            problems.WarnUnknown(model, target, join, JoinKeys, "join");
            var type = (join.Text("type") ?? "left").ToLowerInvariant();
            var relationship = join.Text("relationship")?.ToLowerInvariant();
            if (join.Text("sql_on") is not { Length: > 0 } sqlOn)
            {
                problems.Error(model, target, join.Line(), $"The join to {target} needs sql_on.");
            }
            else if (!JoinTypes.Contains(type))
            {
                problems.Error(model, target, join.Line(), $"Join type \"{type}\" is not one of left, inner, right, full.");
            }
            else if (relationship is not null && !Relationships.Contains(relationship))
            {
                problems.Error(model, target, join.Line(), $"Join relationship \"{relationship}\" is not one of {string.Join(", ", Relationships)}.");
            }
            else
            {
                var fields = join.Child("fields") is YamlSequenceNode list ? list.OfType<YamlScalarNode>().Select(f => f.Value ?? "").ToHashSet(StringComparer.Ordinal) : null;
                found.Add(new JoinDefinition(
                    target, join.Text("alias") ?? target, join.Text("label"), join.Text("description"),
                    new ExploreJoin(sqlOn, type, relationship, join.Flag("always") ?? false), join.Line(), fields, join.Flag("hidden") ?? false));
            }
        }

        return found;
    }

    /// <summary>An extra explore of a model (<c>meta.explores</c>): its own label, joins (the model's when not given) and additional dimensions.</summary>
    private static void ReadExplore(ModelDefinition model, string name, YamlNode node, LoadContext context)
    {
        if (node is not YamlMappingNode explore)
        {
            context.Problems.Error(model, name, node.Line(), "An explore must be a mapping (label, joins, additional_dimensions...).");
            return;
        }

        context.Problems.WarnUnknown(model, name, explore, ExploreKeys, "explore");
        var joins = explore.Child("joins") is YamlSequenceNode list ? ReadJoins(model, list, context.Problems) : null;
        var extra = new List<FieldDefinition>();
        if (explore.Child("additional_dimensions") is YamlMappingNode additional)
        {
            foreach (var (dimensionName, definition) in additional.Entries())
            {
                ReadAdditionalDimension(model, dimensionName, definition, extra, context);
            }
        }

        model.Explores.Add(new ExploreDefinition(
            name, explore.Text("label") ?? FriendlyNames.Of(name), context.Describe(model, name, explore.Line(), explore.Text("description")), joins, extra, explore.Line()));
    }

    /// <summary>The keys of <paramref name="map"/> that clients show, as JSON (keys camelCased), or null when there are none.</summary>
    private static Dictionary<string, JsonNode?>? Shown(YamlMappingNode map, HashSet<string> keys)
    {
        var shown = map.Entries().Where(e => keys.Contains(e.Key)).ToDictionary(e => YamlJson.CamelCase(e.Key), e => YamlJson.ToJson(e.Value), StringComparer.Ordinal);
        return shown.Count > 0 ? shown : null;
    }
}
