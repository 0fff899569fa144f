using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

// ModelFileLoader, continued: models.
public static partial class ModelFileLoader
{
    private static List<ModelDefinition> ReadFile(string file, string content, LoadContext context)
    {
        var found = new List<ModelDefinition>();
        foreach (var document in Parse(file, content, context.Problems)?.Documents ?? [])
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                continue;
            }

            // dbt seeds (Lightdash since PR #21812) are tables with columns and meta like a model's,
            // that models may join; they have no explore of their own.
            foreach (var (key, isSeed) in new[] { ("models", false), ("seeds", true) })
            {
                foreach (var entry in (IEnumerable<YamlNode>?)(root.Child(key) as YamlSequenceNode) ?? [])
                {
                    if (entry is not YamlMappingNode map || map.Text("name") is not { Length: > 0 } name)
                    {
                        context.Problems.Errors.Add(new ModelProblem(file, null, null, entry.Line(), isSeed ? "A seed needs a name." : "A model needs a name."));
                        continue;
                    }

                    var model = ReadModel(file, name, map, context);
                    model.IsSeed = isSeed;
                    found.Add(model);
                }
            }
        }

        return found;
    }

    private static ModelDefinition ReadModel(string file, string name, YamlMappingNode map, LoadContext context)
    {
        var problems = context.Problems;
        var model = new ModelDefinition(file, name, map.Line());
        model.Description = context.Describe(model, null, map.Line(), map.Text("description"));
        var meta = map.Meta();
        problems.WarnUnknown(model, null, meta, [.. ModelMetaKeys, .. ModelShownKeys], "model meta");
        model.SqlFrom = meta.Text("sql_from") ?? name;
        model.Label = meta.Text("label") ?? FriendlyNames.Of(name);
        model.Presentation = Shown(meta, ModelShownKeys);
        model.Access = ReadAccess(model, null, meta, problems);
        model.SqlFilter = meta.Text("sql_filter") ?? meta.Text("sql_where");
        if (meta.Child("parameters") is YamlMappingNode modelParameters)
        {
            foreach (var (parameterName, node) in modelParameters.Entries())
            {
                var qualified = $"{name}.{parameterName}";
                if (ReadParameter(qualified, node, (line, message) => problems.Error(model, qualified, line, message), (line, message) => problems.Warn(model, qualified, line, message)) is { } parameter)
                {
                    model.Parameters.Add(parameter);
                }
            }
        }

        if (map.Child("columns") is YamlSequenceNode columns)
        {
            foreach (var column in columns.OfType<YamlMappingNode>())
            {
                ReadColumn(model, column, context);
            }
        }

        if (meta.Child("metrics") is YamlMappingNode metrics)
        {
            foreach (var (metricName, definition) in metrics.Entries())
            {
                ReadMetric(model, metricName, definition, defaultSql: null, context);
            }
        }

        if (meta.Child("joins") is YamlSequenceNode joins)
        {
            model.Joins.AddRange(ReadJoins(model, joins, problems));
        }

        if (meta.Child("default_time_dimension") is { } defaultTime)
        {
            model.DefaultTimeDimension = (defaultTime, meta.Line());
        }

        if (meta.Child("explores") is YamlMappingNode explores)
        {
            foreach (var (exploreName, node) in explores.Entries())
            {
                ReadExplore(model, exploreName, node, context);
            }
        }

        return model;
    }

    private static void ReadColumn(ModelDefinition model, YamlMappingNode column, LoadContext context)
    {
        var problems = context.Problems;
        if (column.Text("name") is not { Length: > 0 } columnName)
        {
            problems.Error(model, null, column.Line(), "A column needs a name.");
            return;
        }

        var meta = column.Meta();
        problems.WarnUnknown(model, columnName, meta, ColumnMetaKeys, "column meta");
        var dimension = meta.Child("dimension") as YamlMappingNode ?? new YamlMappingNode();
        var sql = dimension.Text("sql") ?? $"${{TABLE}}.{columnName}";
        ReadDimension(model, columnName, dimension, sql, column.Text("description"), column.Line(), model.Fields, context);

        if (meta.Child("additional_dimensions") is YamlMappingNode additional)
        {
            foreach (var (name, node) in additional.Entries())
            {
                ReadAdditionalDimension(model, name, node, model.Fields, context);
            }
        }

        if (meta.Child("metrics") is YamlMappingNode metrics)
        {
            foreach (var (metricName, definition) in metrics.Entries())
            {
                ReadMetric(model, metricName, definition, sql, context);
            }
        }
    }

    private static void ReadAdditionalDimension(ModelDefinition model, string name, YamlNode node, List<FieldDefinition> into, LoadContext context)
    {
        if (node is not YamlMappingNode definition || definition.Text("sql") is not { Length: > 0 } sql)
        {
            context.Problems.Error(model, name, node.Line(), "An additional dimension needs sql.");
            return;
        }

        ReadDimension(model, name, definition, sql, null, node.Line(), into, context);
    }

    /// <summary>A dimension and its time intervals, added to <paramref name="into"/>.</summary>
    private static void ReadDimension(ModelDefinition model, string name, YamlMappingNode dimension, string sql, string? columnDescription, int line, List<FieldDefinition> into, LoadContext context)
    {
        var problems = context.Problems;
        problems.WarnUnknown(model, name, dimension, [.. DimensionKeys, .. DimensionShownKeys], "dimension");
        var type = dimension.Text("type") ?? "string";
        if (FriendlyNames.DimensionTypeOf(type) is null)
        {
            problems.Error(model, name, dimension.Line(), $"Dimension type \"{type}\" is not one of string, number, boolean, date, timestamp.");
            return;
        }

        var label = dimension.Text("label") ?? FriendlyNames.Of(name);
        var field = new FieldDefinition(
            name, FieldKind.Dimension, type, label, context.Describe(model, name, line, dimension.Text("description") ?? columnDescription), sql,
            dimension.Flag("hidden") ?? false, dimension.Text("format"), dimension.Number("round"), line,
            Presentation: Shown(dimension, DimensionShownKeys), Access: ReadAccess(model, name, dimension, problems));
        model.Add(field, into, problems);

        if (type is "date" or "timestamp")
        {
            foreach (var interval in ReadIntervals(model, name, dimension, context))
            {
                var custom = context.Granularities.GetValueOrDefault(interval);
                model.Add(
                    field with
                    {
                        Name = $"{name}_{interval.ToLowerInvariant()}",
                        Type = custom?.Type ?? TimeIntervals.BuiltIn[interval],
                        Label = $"{label} {custom?.Label.ToLowerInvariant() ?? interval.Replace('_', ' ')}",
                        TimeInterval = interval,
                        BaseDimension = name,
                        IntervalSql = custom?.Sql,
                    },
                    into,
                    problems);
            }
        }
    }

    private static IEnumerable<string> ReadIntervals(ModelDefinition model, string columnName, YamlMappingNode dimension, LoadContext context)
    {
        switch (dimension.Child("time_intervals"))
        {
            case null:
                return TimeIntervals.Default;
            case YamlScalarNode { Value: { } off } when off.Equals("OFF", StringComparison.OrdinalIgnoreCase):
                return [];
            case YamlSequenceNode list:
                var intervals = new List<string>();
                foreach (var item in list.OfType<YamlScalarNode>())
                {
                    var written = item.Value ?? "";
                    if (written.Equals("raw", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    if (context.Granularities.ContainsKey(written))
                    {
                        intervals.Add(written);
                    }
                    else if (TimeIntervals.BuiltIn.ContainsKey(written.ToLowerInvariant()))
                    {
                        intervals.Add(written.ToLowerInvariant());
                    }
                    else
                    {
                        // As Lightdash does: the interval is dropped, the dimension and its model stay.
                        context.Problems.Warn(
                            model, columnName, item.Line(),
                            $"Ignoring unknown time interval \"{written}\" of dimension {columnName} in model {model.Name} ({model.File}): it is neither a built-in interval " +
                            $"({string.Join(", ", TimeIntervals.BuiltIn.Keys.Select(k => k.ToUpperInvariant()))}) nor a custom granularity of {ConfigFileName}.");
                    }
                }

                return intervals.Distinct(StringComparer.Ordinal);
            default:
                context.Problems.Error(model, columnName, dimension.Line(), "time_intervals must be a list of intervals or OFF.");
                return [];
        }
    }
}
