using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

/// <summary>
/// Loads a project's model files (dbt-style <c>models:</c> entries, Lightdash settings under
/// <c>meta</c> or <c>config.meta</c>), its <c>lightdash.config.yml</c> (custom granularities) and its
/// <c>.md</c> doc blocks into explores. A model with an error is left out, with the error naming its
/// file, model and field; the others still load. Settings that only clients show are carried through
/// as written; keys that affect nothing are ignored with a warning.
/// </summary>
public static class ModelFileLoader
{
    /// <summary>The project settings file, read for its custom granularities.</summary>
    public const string ConfigFileName = "lightdash.config.yml";

    private static readonly HashSet<string> JoinTypes = ["left", "inner", "right", "full"];
    private static readonly HashSet<string> Relationships = ["one-to-one", "one-to-many", "many-to-one", "many-to-many"];

    // Keys the loader acts on, and keys carried through for clients (they change no query).
    private static readonly HashSet<string> ModelMetaKeys = ["sql_from", "label", "joins", "metrics", "explores", "default_time_dimension", "required_attributes", "any_attributes", "sql_filter", "sql_where", "parameters"];
    private static readonly HashSet<string> ModelShownKeys = ["group_label", "order_fields_by", "spotlight", "primary_key", "ai_hint", "group_details", "pre_aggregates", "tags"];
    private static readonly HashSet<string> ColumnMetaKeys = ["dimension", "metrics", "additional_dimensions"];
    private static readonly HashSet<string> DimensionKeys = ["type", "sql", "label", "description", "hidden", "format", "round", "time_intervals", "required_attributes", "any_attributes"];
    private static readonly HashSet<string> DimensionShownKeys = ["group_label", "groups", "urls", "colors", "spotlight", "compact", "filter_autocomplete", "ai_hint", "tags", "image"];
    private static readonly HashSet<string> MetricKeys = ["type", "sql", "label", "description", "hidden", "format", "round", "filters", "percentile", "distinct_keys", "required_attributes", "any_attributes"];
    private static readonly HashSet<string> ParameterKeys = ["label", "description", "options", "options_from_dimension", "default", "multiple", "allow_custom_values"];
    private static readonly HashSet<string> MetricShownKeys = ["group_label", "groups", "urls", "spotlight", "compact", "show_underlying_values", "drivers", "ai_hint", "default_time_dimension", "tags"];
    private static readonly HashSet<string> JoinKeys = ["join", "sql_on", "type", "relationship", "alias", "label", "description", "fields", "hidden", "always"];
    private static readonly HashSet<string> ExploreKeys = ["label", "description", "joins", "additional_dimensions", "group_label"];
    private static readonly HashSet<string> ConfigKeys = ["custom_granularities", "spotlight", "parameters"];

    /// <summary>Every *.yml, *.yaml and *.md file below <paramref name="folder"/>, loaded into explores.</summary>
    public static ExploreCatalog LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return new ExploreCatalog(new Dictionary<string, Explore>(), [new ModelProblem(folder, null, null, 0, "The models folder does not exist.")], []);
        }

        var files = Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
            .Where(IsProjectFile)
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllText(f)));
        return Load(files);
    }

    /// <summary>True for the files a project is made of: model YAML, <c>lightdash.config.yml</c> and markdown doc blocks.</summary>
    public static bool IsProjectFile(string path) =>
        path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".md", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads project files given as (name, content): model YAML, <c>lightdash.config.yml</c> and <c>.md</c> doc blocks.</summary>
    public static ExploreCatalog Load(IEnumerable<(string File, string Content)> files)
    {
        var all = files.ToList();
        var problems = new Problems();
        var docs = new DocBlocks();
        foreach (var (_, content) in all.Where(f => f.File.EndsWith(".md", StringComparison.OrdinalIgnoreCase)))
        {
            docs.Add(content);
        }

        var granularities = new Dictionary<string, CustomGranularity>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, ParameterDefinition>(StringComparer.Ordinal);
        foreach (var (file, content) in all.Where(f => IsConfigFile(f.File)))
        {
            ReadConfig(file, content, granularities, parameters, problems);
        }

        var context = new LoadContext(problems, docs, granularities);
        var models = new Dictionary<string, ModelDefinition>(StringComparer.Ordinal);
        foreach (var (file, content) in all.Where(f => !f.File.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !IsConfigFile(f.File)))
        {
            foreach (var model in ReadFile(file, content, context))
            {
                if (!models.TryAdd(model.Name, model))
                {
                    problems.Error(model, null, model.Line, $"A model named {model.Name} is also defined in {models[model.Name].File}.");
                }
            }
        }

        foreach (var model in models.Values)
        {
            foreach (var parameter in model.Parameters)
            {
                parameters[parameter.Name] = parameter;
            }
        }

        // Models whose own definition has errors; an explore's join problems are that explore's alone.
        var broken = models.Values.Where(problems.HasErrors).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var explores = new Dictionary<string, Explore>(StringComparer.Ordinal);
        foreach (var model in models.Values.Where(m => !m.IsSeed))
        {
            var definitions = new[] { new ExploreDefinition(model.Name, model.Label, model.Description, null, [], model.Line) }.Concat(model.Explores);
            foreach (var definition in definitions)
            {
                if (model.Explores.Contains(definition) && (models.ContainsKey(definition.Name) || explores.ContainsKey(definition.Name)))
                {
                    problems.Error(model, definition.Name, definition.Line, $"Explore {definition.Name} has the name of another model or explore.");
                    continue;
                }

                if (BuildExplore(model, definition, models, broken, parameters, problems) is { } explore)
                {
                    explores[explore.Name] = explore;
                }
            }
        }

        // An explore built twice from one model (its own and an extra one) reports a model problem once.
        return new ExploreCatalog(explores, [.. problems.Errors.Distinct()], [.. problems.Warnings.Distinct()], parameters);
    }

    private static bool IsConfigFile(string file) => Path.GetFileName(file).Equals(ConfigFileName, StringComparison.OrdinalIgnoreCase);

    private static YamlStream? Parse(string file, string content, Problems problems)
    {
        // Bounded before any tree is built: a deep or alias-expanding file is refused, never expanded.
        if (YamlBudget.Default.FindExcess(content) is { } excess)
        {
            problems.Errors.Add(new ModelProblem(file, null, null, 0, $"Not loaded: {excess}."));
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(content));
            return stream;
        }
        catch (YamlException e)
        {
            problems.Errors.Add(new ModelProblem(file, null, null, (int)e.Start.Line, $"Not valid YAML: {e.Message}"));
            return null;
        }
    }

    private static void ReadConfig(string file, string content, Dictionary<string, CustomGranularity> granularities, Dictionary<string, ParameterDefinition> parameters, Problems problems)
    {
        if (Parse(file, content, problems)?.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root)
        {
            return;
        }

        foreach (var (key, value) in root.Entries().Where(e => !ConfigKeys.Contains(e.Key)))
        {
            problems.Warnings.Add(new ModelProblem(file, null, null, value.Line(), $"The {ConfigFileName} key \"{key}\" is not supported and was ignored."));
        }

        if (root.Child("parameters") is YamlMappingNode parameterDefinitions)
        {
            foreach (var (name, node) in parameterDefinitions.Entries())
            {
                if (ReadParameter(name, node, (line, message) => problems.Errors.Add(new ModelProblem(file, null, name, line, message)), (line, message) => problems.Warnings.Add(new ModelProblem(file, null, name, line, message))) is { } parameter)
                {
                    parameters[name] = parameter;
                }
            }
        }

        if (root.Child("custom_granularities") is not YamlMappingNode definitions)
        {
            return;
        }

        foreach (var (name, node) in definitions.Entries())
        {
            var definition = node as YamlMappingNode;
            var type = definition?.Text("type") ?? "date";
            if (definition?.Text("sql") is not { Length: > 0 } sql || !sql.Contains("${COLUMN}", StringComparison.Ordinal))
            {
                problems.Errors.Add(new ModelProblem(file, null, name, node.Line(), $"Custom granularity {name} needs sql using ${{COLUMN}} for the dimension."));
            }
            else if (type is not ("date" or "timestamp" or "string" or "number"))
            {
                problems.Errors.Add(new ModelProblem(file, null, name, node.Line(), $"Custom granularity {name} has type \"{type}\"; it must be date, timestamp, string or number."));
            }
            else if (TimeIntervals.BuiltIn.ContainsKey(name.ToLowerInvariant()))
            {
                problems.Errors.Add(new ModelProblem(file, null, name, node.Line(), $"Custom granularity {name} has the name of a built-in interval."));
            }
            else
            {
                granularities[name] = new CustomGranularity(name, definition.Text("label") ?? FriendlyNames.Of(name), sql, type);
            }
        }
    }

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

        List<string>? distinctKeys = null;
        if (type is "sum_distinct" or "average_distinct")
        {
            distinctKeys = metric.Child("distinct_keys") switch
            {
                YamlScalarNode { Value: { Length: > 0 } one } => [one],
                YamlSequenceNode many => many.OfType<YamlScalarNode>().Select(v => v.Value ?? "").Where(v => v.Length > 0).ToList(),
                _ => null,
            };
            if (distinctKeys is not { Count: > 0 })
            {
                problems.Error(model, metricName, metric.Line(), $"A {type} metric needs distinct_keys: the dimension (or list of dimensions) that identifies each counted row.");
                return;
            }
        }

        if (ReadMetricFilters(model, metricName, metric, problems) is not { } filters)
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

    /// <summary>
    /// An explore: the model's own fields, those of the models it joins (a join brings the joined
    /// model's fields, never its joins) and the explore's additional dimensions. Every problem is
    /// reported, not only the first; a model with errors of its own is checked through, never returned.
    /// </summary>
    private static Explore? BuildExplore(
        ModelDefinition model, ExploreDefinition definition, Dictionary<string, ModelDefinition> models, HashSet<string> broken, Dictionary<string, ParameterDefinition> parameters, Problems problems)
    {
        var tables = new List<ExploreTable> { new(model.Name, model.Name, model.SqlFrom, model.Label, null) };
        var fields = new Dictionary<string, ExploreField>(StringComparer.Ordinal);
        AddFields(fields, model.Name, model.Fields, model.Access);
        AddFields(fields, model.Name, definition.AdditionalDimensions, model.Access);
        var referenceOnly = new Dictionary<string, ExploreField>(StringComparer.Ordinal);
        var failed = broken.Contains(model.Name);
        var joinFailed = false;
        foreach (var join in definition.Joins ?? model.Joins)
        {
            string? problem = null;
            if (!models.TryGetValue(join.Model, out var joined))
            {
                problem = $"The join refers to model {join.Model}, which does not exist.";
            }
            else if (broken.Contains(joined.Name))
            {
                problem = $"The join refers to model {join.Model}, which has errors.";
            }
            else if (tables.Any(t => t.Name == join.Alias))
            {
                problem = $"Table name {join.Alias} is used twice in this explore; give the join an alias.";
            }

            if (problem is not null)
            {
                problems.Error(model, join.Model, join.Line, definition.Name == model.Name ? problem : $"Explore {definition.Name}: {problem}");
                joinFailed = true;
                continue;
            }

            if (join.Fields?.FirstOrDefault(name => joined!.Fields.All(f => f.Name != name)) is { } unknown)
            {
                problems.Error(model, join.Model, join.Line, $"The join's fields list {unknown}, which is not a field of {join.Model}.");
                joinFailed = true;
                continue;
            }

            tables.Add(new ExploreTable(join.Alias, joined!.Name, joined.SqlFrom, join.Label ?? joined.Label, join.Join, join.Description));
            bool Listed(FieldDefinition f) => join.Fields is null || join.Fields.Contains(f.Name) || (f.BaseDimension is { } baseName && join.Fields.Contains(baseName));
            AddFields(fields, join.Alias, joined.Fields.Where(Listed).Select(f => join.Hidden ? f with { Hidden = true } : f), joined.Access);
            AddFields(referenceOnly, join.Alias, joined.Fields.Where(f => !Listed(f)), joined.Access);
        }

        if (joinFailed)
        {
            // References into the missing table would only repeat the join's error.
            return null;
        }

        // A reference the compiler could not resolve is the field's error now, not a query's later.
        var referable = new Dictionary<string, ExploreField>(referenceOnly, StringComparer.Ordinal);
        foreach (var (id, field) in fields)
        {
            referable[id] = field;
        }

        foreach (var field in fields.Values)
        {
            foreach (var missing in DanglingReferences(field, referable))
            {
                problems.Error(model, field.Id, model.Line, $"Field {field.Id} refers to ${{{missing}}}, which is not a field of explore {definition.Name}.");
                failed = true;
            }

            if (ReferenceKindProblem(field, referable) is { } kindProblem)
            {
                problems.Error(model, field.Id, model.Line, kindProblem);
                failed = true;
            }

            foreach (var parameter in SqlVariables.ParameterReferences(field.IntervalSql ?? field.Sql).Where(p => !parameters.ContainsKey(p)))
            {
                problems.Error(model, field.Id, model.Line, $"Field {field.Id} refers to parameter {parameter}, which lightdash.config.yml and the models do not define.");
                failed = true;
            }
        }

        foreach (var parameter in new[] { model.SqlFilter ?? "" }.Concat(tables.Skip(1).Select(t => t.Join!.SqlOn)).SelectMany(SqlVariables.ParameterReferences).Where(p => !parameters.ContainsKey(p)).Distinct())
        {
            problems.Error(model, null, model.Line, $"The model's sql_filter or a join refers to parameter {parameter}, which is not defined.");
            failed = true;
        }

        var presentation = model.Presentation is null ? new Dictionary<string, JsonNode?>(StringComparer.Ordinal) : new Dictionary<string, JsonNode?>(model.Presentation, StringComparer.Ordinal);
        if (model.DefaultTimeDimension is var (node, line) && DefaultTimeDimension(model, null, node, line, fields, problems) is { } defaultTime)
        {
            presentation["defaultTimeDimension"] = defaultTime;
        }
        else if (model.DefaultTimeDimension is not null)
        {
            failed = true;
        }

        foreach (var (metricName, metricNode) in model.MetricDefaultTimeDimensions)
        {
            if (DefaultTimeDimension(model, metricName, metricNode, metricNode.Line(), fields, problems) is null)
            {
                failed = true;
            }
        }

        return failed
            ? null
            : new Explore(
                definition.Name, definition.Label, definition.Description, model.File, tables, fields, presentation.Count > 0 ? presentation : null,
                referenceOnly.Count > 0 ? referenceOnly : null, model.Access, model.SqlFilter);
    }

    /// <summary>A checked <c>default_time_dimension</c> ({field, interval}) as JSON; null (and an error) when it names no date dimension of the model or no interval of it.</summary>
    private static JsonObject? DefaultTimeDimension(ModelDefinition model, string? owner, YamlNode node, int line, Dictionary<string, ExploreField> fields, Problems problems)
    {
        var map = node as YamlMappingNode;
        var fieldName = map?.Text("field");
        var interval = map?.Text("interval")?.ToLowerInvariant();
        var field = fieldName is null ? null : fields.GetValueOrDefault($"{model.Name}_{fieldName}");
        string? problem = null;
        if (field is not { Kind: FieldKind.Dimension, Type: "date" or "timestamp", TimeInterval: null })
        {
            problem = $"default_time_dimension.field must name a date or timestamp dimension of {model.Name} (got \"{fieldName}\").";
        }
        else if (interval is null || !fields.ContainsKey($"{field.Id}_{interval}"))
        {
            problem = $"default_time_dimension.interval \"{map?.Text("interval")}\" is not an interval of {field.Id}.";
        }

        if (problem is not null)
        {
            problems.Error(model, owner, line, problem);
            return null;
        }

        return new JsonObject { ["field"] = fieldName, ["interval"] = interval!.ToUpperInvariant() };
    }

    /// <summary>The <c>${field}</c> and <c>${table.field}</c> references of the field's SQL that resolve to no field, as written.</summary>
    private static IEnumerable<string> DanglingReferences(ExploreField field, Dictionary<string, ExploreField> fields)
    {
        foreach (Match match in MetricQueryCompiler.Reference().Matches(field.IntervalSql ?? field.Sql))
        {
            var first = match.Groups[1].Value;
            var id = match.Groups[2].Success ? $"{first}_{match.Groups[2].Value}" : first is "TABLE" or "COLUMN" ? null : $"{field.Table}_{first}";
            if (id is not null && !fields.ContainsKey(id))
            {
                yield return match.Groups[2].Success ? $"{first}.{match.Groups[2].Value}" : first;
            }
        }
    }

    /// <summary>
    /// Lightdash's rules for what a field may refer to: dimensions and aggregate metrics refer to
    /// dimensions; non-aggregate metrics to metrics that are not post-calculations; post-calculation
    /// metrics to aggregate and non-aggregate metrics only.
    /// </summary>
    private static string? ReferenceKindProblem(ExploreField field, Dictionary<string, ExploreField> fields)
    {
        var referred = MetricQueryCompiler.Reference().Matches(field.Sql)
            .Where(m => m.Groups[2].Success || m.Groups[1].Value is not ("TABLE" or "COLUMN"))
            .Select(m => fields.GetValueOrDefault(m.Groups[2].Success ? $"{m.Groups[1].Value}_{m.Groups[2].Value}" : $"{field.Table}_{m.Groups[1].Value}"))
            .OfType<ExploreField>()
            .ToList();
        if (field.Kind == FieldKind.Dimension || field.IsAggregate)
        {
            return referred.FirstOrDefault(r => r.Kind == FieldKind.Metric) is { } metric
                ? $"{(field.Kind == FieldKind.Dimension ? "Dimension" : $"Aggregate metric ({field.Type})")} {field.Id} refers to metric {metric.Id}; it can refer to dimensions only."
                : null;
        }

        if (referred.FirstOrDefault(r => r.Kind == FieldKind.Dimension || r.IsPostCalculation) is { } bad)
        {
            return $"Metric {field.Id} ({field.Type}) refers to {(bad.Kind == FieldKind.Dimension ? "dimension" : "post-calculation metric")} {bad.Id}; it can refer to aggregate and non-aggregate metrics only.";
        }

        return field.IsPostCalculation && referred.Count == 0
            ? $"Metric {field.Id} ({field.Type}) needs sql referring to a metric, such as ${{total_revenue}}."
            : null;
    }

    /// <summary>Adds the fields under <paramref name="table"/>, each carrying its model's access conditions before its own.</summary>
    private static void AddFields(Dictionary<string, ExploreField> fields, string table, IEnumerable<FieldDefinition> definitions, IReadOnlyList<AttributeRequirement>? modelAccess)
    {
        foreach (var field in definitions)
        {
            var id = $"{table}_{field.Name}";
            IReadOnlyList<AttributeRequirement> access = [.. modelAccess ?? [], .. field.Access ?? []];
            fields[id] = new ExploreField(
                id, field.Name, table, field.Kind, field.Type, field.Label, field.Description, field.Sql, field.Hidden, field.Format, field.Round,
                field.TimeInterval, field.BaseDimension, field.Percentile, field.MetricFilters, field.DistinctKeys, field.IntervalSql, field.Presentation,
                access.Count > 0 ? access : null);
        }
    }

    /// <summary><c>required_attributes</c> and <c>any_attributes</c> ({attribute: value or [values]}) of a model, dimension or metric; null when none.</summary>
    private static List<AttributeRequirement>? ReadAccess(ModelDefinition model, string? field, YamlMappingNode map, Problems problems)
    {
        var requirements = new List<AttributeRequirement>();
        foreach (var (key, any) in new[] { ("required_attributes", false), ("any_attributes", true) })
        {
            if (map.Child(key) is not { } node)
            {
                continue;
            }

            var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var (attribute, value) in (node as YamlMappingNode)?.Entries() ?? [])
            {
                List<string>? allowed = value switch
                {
                    YamlScalarNode { Value: { } one } => [one],
                    YamlSequenceNode many => [.. many.OfType<YamlScalarNode>().Select(v => v.Value ?? "")],
                    _ => null,
                };
                if (allowed is not { Count: > 0 })
                {
                    problems.Error(model, field, value.Line(), $"{key}.{attribute} needs a value or a list of values.");
                    return null;
                }

                values[attribute] = allowed;
            }

            if (values.Count == 0)
            {
                problems.Error(model, field, node.Line(), $"{key} must map attribute names to the values that grant access.");
                return null;
            }

            requirements.Add(new AttributeRequirement(any, values));
        }

        return requirements.Count > 0 ? requirements : null;
    }

    /// <summary>A parameter definition; null (and an error) when it is malformed.</summary>
    private static ParameterDefinition? ReadParameter(string name, YamlNode node, Action<int, string> error, Action<int, string> warn)
    {
        if (node is not YamlMappingNode map)
        {
            error(node.Line(), $"Parameter {name} must be a mapping (label, options, default...).");
            return null;
        }

        foreach (var (key, value) in map.Entries().Where(e => !ParameterKeys.Contains(e.Key)))
        {
            warn(value.Line(), $"The parameter key \"{key}\" is not supported and was ignored.");
        }

        static List<string>? List(YamlNode? node) => node switch
        {
            YamlScalarNode { Value: { } one } => [one],
            YamlSequenceNode many => [.. many.OfType<YamlScalarNode>().Select(v => v.Value ?? "")],
            _ => null,
        };

        DimensionReference? source = null;
        if (map.Child("options_from_dimension") is { } fromNode)
        {
            if (fromNode is YamlMappingNode from && from.Text("model") is { Length: > 0 } sourceModel && from.Text("dimension") is { Length: > 0 } sourceDimension)
            {
                source = new DimensionReference(sourceModel, sourceDimension);
            }
            else
            {
                error(fromNode.Line(), $"Parameter {name}: options_from_dimension needs model and dimension.");
                return null;
            }
        }

        var options = List(map.Child("options"));
        var defaults = List(map.Child("default"));
        var multiple = map.Flag("multiple") ?? false;
        var allowCustom = map.Flag("allow_custom_values") ?? false;
        if (defaults is { Count: > 1 } && !multiple)
        {
            error(map.Line(), $"Parameter {name} has several default values but is not multiple.");
            return null;
        }

        if (defaults is not null && options is not null && !allowCustom && defaults.FirstOrDefault(d => !options.Contains(d, StringComparer.Ordinal)) is { } outside)
        {
            error(map.Line(), $"Parameter {name}'s default \"{outside}\" is not one of its options.");
            return null;
        }

        return new ParameterDefinition(name, map.Text("label") ?? FriendlyNames.Of(name.Replace('.', ' ')), map.Text("description"), options, source, defaults, multiple, allowCustom);
    }

    private sealed record FieldDefinition(
        string Name, FieldKind Kind, string Type, string Label, string? Description, string Sql, bool Hidden, string? Format, int? Round, int Line,
        string? TimeInterval = null, string? BaseDimension = null, int? Percentile = null, IReadOnlyList<MetricFilter>? MetricFilters = null,
        IReadOnlyList<string>? DistinctKeys = null, string? IntervalSql = null, IReadOnlyDictionary<string, JsonNode?>? Presentation = null,
        IReadOnlyList<AttributeRequirement>? Access = null);

    // Fields: only these fields of the joined model (and their intervals), when given.
    // Hidden: the joined model's fields are hidden from pickers (still queryable).
    private sealed record JoinDefinition(string Model, string Alias, string? Label, string? Description, ExploreJoin Join, int Line, HashSet<string>? Fields = null, bool Hidden = false);

    /// <summary>An explore to build from a model: the model's own (no joins given: the model's), or one of its <c>explores:</c>.</summary>
    private sealed record ExploreDefinition(string Name, string Label, string? Description, List<JoinDefinition>? Joins, List<FieldDefinition> AdditionalDimensions, int Line);

    private sealed class ModelDefinition(string file, string name, int line)
    {
        public string File { get; } = file;

        public string Name { get; } = name;

        public int Line { get; } = line;

        public string? Description { get; set; }

        public string SqlFrom { get; set; } = name;

        /// <summary>A dbt seed: joinable, without an explore of its own.</summary>
        public bool IsSeed { get; set; }

        public string Label { get; set; } = name;

        public Dictionary<string, JsonNode?>? Presentation { get; set; }

        public IReadOnlyList<AttributeRequirement>? Access { get; set; }

        public string? SqlFilter { get; set; }

        public List<ParameterDefinition> Parameters { get; } = [];

        public (YamlNode Node, int Line)? DefaultTimeDimension { get; set; }

        public List<(string Metric, YamlNode Node)> MetricDefaultTimeDimensions { get; } = [];

        public List<FieldDefinition> Fields { get; } = [];

        public List<JoinDefinition> Joins { get; } = [];

        public List<ExploreDefinition> Explores { get; } = [];

        public void Add(FieldDefinition field, List<FieldDefinition> into, Problems problems)
        {
            if (Fields.Concat(into).Any(f => f.Name == field.Name))
            {
                problems.Error(this, field.Name, field.Line, $"Field {field.Name} is defined twice in model {Name}.");
                return;
            }

            into.Add(field);
        }
    }

    /// <summary>What every reader needs: where problems go, the doc blocks and the custom granularities.</summary>
    private sealed record LoadContext(Problems Problems, DocBlocks Docs, IReadOnlyDictionary<string, CustomGranularity> Granularities)
    {
        /// <summary>A description with its doc references resolved; an unknown doc block is a warning (the text stays as written).</summary>
        public string? Describe(ModelDefinition model, string? field, int line, string? description)
        {
            var resolved = Docs.Resolve(description, out var missing);
            foreach (var name in missing)
            {
                Problems.Warn(model, field, line, $"The description refers to doc block \"{name}\", which no .md file defines.");
            }

            return resolved;
        }
    }

    private sealed class Problems
    {
        public List<ModelProblem> Errors { get; } = [];

        public List<ModelProblem> Warnings { get; } = [];

        public void Error(ModelDefinition model, string? field, int line, string message) =>
            Errors.Add(new ModelProblem(model.File, model.Name, field, line, message));

        public void Warn(ModelDefinition model, string? field, int line, string message) =>
            Warnings.Add(new ModelProblem(model.File, model.Name, field, line, message));

        public bool HasErrors(ModelDefinition model) => Errors.Any(e => e.File == model.File && e.Model == model.Name);

        public void WarnUnknown(ModelDefinition model, string? field, YamlMappingNode map, HashSet<string> supported, string where)
        {
            foreach (var (key, value) in map.Entries())
            {
                if (!supported.Contains(key))
                {
                    Warn(model, field, value.Line(), $"The {where} key \"{key}\" is not supported and was ignored.");
                }
            }
        }
    }
}
