using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

/// <summary>
/// Loads a project's model files (dbt-style <c>models:</c> entries, Lightdash settings under
/// <c>meta</c> or <c>config.meta</c>) into explores. A model with an error is left out, with the
/// error naming its file, model and field; the others still load. Keys outside the supported subset
/// are ignored with a warning.
/// </summary>
public static class ModelFileLoader
{
    private static readonly string[] DefaultIntervals = ["day", "week", "month", "quarter", "year"];
    private static readonly HashSet<string> Intervals = [.. DefaultIntervals];
    private static readonly HashSet<string> JoinTypes = ["left", "inner", "right", "full"];
    private static readonly HashSet<string> Relationships = ["one-to-one", "one-to-many", "many-to-one", "many-to-many"];
    private static readonly HashSet<string> ModelMetaKeys = ["sql_from", "label", "joins", "metrics", "group_label", "order_fields_by"];
    private static readonly HashSet<string> ColumnMetaKeys = ["dimension", "metrics"];
    private static readonly HashSet<string> DimensionKeys = ["type", "sql", "label", "description", "hidden", "format", "round", "time_intervals", "group_label"];
    private static readonly HashSet<string> MetricKeys = ["type", "sql", "label", "description", "hidden", "format", "round", "filters", "percentile", "group_label", "distinct_keys"];
    private static readonly HashSet<string> JoinKeys = ["join", "sql_on", "type", "relationship", "alias", "label"];

    /// <summary>Every *.yml and *.yaml file below <paramref name="folder"/>, loaded into explores.</summary>
    public static ExploreCatalog LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return new ExploreCatalog(new Dictionary<string, Explore>(), [new ModelProblem(folder, null, null, 0, "The models folder does not exist.")], []);
        }

        var files = Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(folder, f), File.ReadAllText(f)));
        return Load(files);
    }

    /// <summary>Loads model files given as (name, content).</summary>
    public static ExploreCatalog Load(IEnumerable<(string File, string Content)> files)
    {
        var problems = new Problems();
        var models = new Dictionary<string, ModelDefinition>(StringComparer.Ordinal);
        foreach (var (file, content) in files)
        {
            foreach (var model in ReadFile(file, content, problems))
            {
                if (!models.TryAdd(model.Name, model))
                {
                    problems.Error(model, null, model.Line, $"A model named {model.Name} is also defined in {models[model.Name].File}.");
                }
            }
        }

        // Models whose own definition has errors; an explore's join problems are that explore's alone.
        var broken = models.Values.Where(problems.HasErrors).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var explores = new Dictionary<string, Explore>(StringComparer.Ordinal);
        foreach (var model in models.Values)
        {
            if (BuildExplore(model, models, broken, problems) is { } explore)
            {
                explores[explore.Name] = explore;
            }
        }

        return new ExploreCatalog(explores, problems.Errors, problems.Warnings);
    }

    private static List<ModelDefinition> ReadFile(string file, string content, Problems problems)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(content));
        }
        catch (YamlException e)
        {
            problems.Errors.Add(new ModelProblem(file, null, null, (int)e.Start.Line, $"Not valid YAML: {e.Message}"));
            return [];
        }

        var found = new List<ModelDefinition>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root || root.Child("models") is not YamlSequenceNode entries)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                if (entry is not YamlMappingNode map || map.Text("name") is not { Length: > 0 } name)
                {
                    problems.Errors.Add(new ModelProblem(file, null, null, entry.Line(), "A model needs a name."));
                    continue;
                }

                found.Add(ReadModel(file, name, map, problems));
            }
        }

        return found;
    }

    private static ModelDefinition ReadModel(string file, string name, YamlMappingNode map, Problems problems)
    {
        var model = new ModelDefinition(file, name, map.Line(), map.Text("description"));
        var meta = map.Meta();
        problems.WarnUnknown(model, null, meta, ModelMetaKeys, "model meta");
        model.SqlFrom = meta.Text("sql_from") ?? name;
        model.Label = meta.Text("label") ?? FriendlyNames.Of(name);

        if (map.Child("columns") is YamlSequenceNode columns)
        {
            foreach (var column in columns.OfType<YamlMappingNode>())
            {
                ReadColumn(model, column, problems);
            }
        }

        if (meta.Child("metrics") is YamlMappingNode metrics)
        {
            foreach (var (metricName, definition) in metrics.Entries())
            {
                ReadMetric(model, metricName, definition, defaultSql: null, problems);
            }
        }

        if (meta.Child("joins") is YamlSequenceNode joins)
        {
            foreach (var join in joins)
            {
                ReadJoin(model, join, problems);
            }
        }

        return model;
    }

    private static void ReadColumn(ModelDefinition model, YamlMappingNode column, Problems problems)
    {
        if (column.Text("name") is not { Length: > 0 } columnName)
        {
            problems.Error(model, null, column.Line(), "A column needs a name.");
            return;
        }

        var meta = column.Meta();
        problems.WarnUnknown(model, columnName, meta, ColumnMetaKeys, "column meta");
        var dimension = meta.Child("dimension") as YamlMappingNode ?? new YamlMappingNode();
        problems.WarnUnknown(model, columnName, dimension, DimensionKeys, "dimension");
        var type = dimension.Text("type") ?? "string";
        if (FriendlyNames.DimensionTypeOf(type) is null)
        {
            problems.Error(model, columnName, dimension.Line(), $"Dimension type \"{type}\" is not one of string, number, boolean, date, timestamp.");
            return;
        }

        var sql = dimension.Text("sql") ?? $"${{TABLE}}.{columnName}";
        var label = dimension.Text("label") ?? FriendlyNames.Of(columnName);
        var field = new FieldDefinition(
            columnName, FieldKind.Dimension, type, label, dimension.Text("description") ?? column.Text("description"), sql,
            dimension.Flag("hidden") ?? false, dimension.Text("format"), dimension.Number("round"), column.Line());
        model.Add(field, problems);

        if (type is "date" or "timestamp")
        {
            foreach (var interval in ReadIntervals(model, columnName, dimension, problems))
            {
                model.Add(
                    field with
                    {
                        Name = $"{columnName}_{interval}",
                        Type = "date",
                        Label = $"{label} {interval}",
                        Hidden = field.Hidden,
                        TimeInterval = interval,
                        BaseDimension = columnName,
                    },
                    problems);
            }
        }

        if (meta.Child("metrics") is YamlMappingNode metrics)
        {
            foreach (var (metricName, definition) in metrics.Entries())
            {
                ReadMetric(model, metricName, definition, sql, problems);
            }
        }
    }

    private static IEnumerable<string> ReadIntervals(ModelDefinition model, string columnName, YamlMappingNode dimension, Problems problems)
    {
        switch (dimension.Child("time_intervals"))
        {
            case null:
                return DefaultIntervals;
            case YamlScalarNode { Value: { } off } when off.Equals("OFF", StringComparison.OrdinalIgnoreCase):
                return [];
            case YamlSequenceNode list:
                var intervals = new List<string>();
                foreach (var item in list.OfType<YamlScalarNode>())
                {
                    var interval = (item.Value ?? "").ToLowerInvariant();
                    if (interval == "raw")
                    {
                        continue;
                    }

                    if (Intervals.Contains(interval))
                    {
                        intervals.Add(interval);
                    }
                    else
                    {
                        problems.Warn(model, columnName, item.Line(), $"Time interval \"{item.Value}\" is not supported (day, week, month, quarter, year) and was ignored.");
                    }
                }

                return intervals;
            default:
                problems.Error(model, columnName, dimension.Line(), "time_intervals must be a list of intervals or OFF.");
                return [];
        }
    }

    private static void ReadMetric(ModelDefinition model, string metricName, YamlNode node, string? defaultSql, Problems problems)
    {
        if (node is not YamlMappingNode metric)
        {
            problems.Error(model, metricName, node.Line(), "A metric must be a mapping with at least a type.");
            return;
        }

        problems.WarnUnknown(model, metricName, metric, MetricKeys, "metric");
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

        if (type == "percentile" && metric.Number("percentile") is not (>= 0 and <= 100))
        {
            problems.Error(model, metricName, metric.Line(), "A percentile metric needs percentile: a number from 0 to 100.");
            return;
        }

        var filters = new List<MetricFilter>();
        if (metric.Child("filters") is { } filterNode)
        {
            // Lightdash's shape: a list of { dimension: value } (or { dimension: [values] }) mappings, all of which must hold.
            foreach (var item in filterNode is YamlSequenceNode list ? list.Children : [filterNode])
            {
                if (item is not YamlMappingNode condition)
                {
                    problems.Error(model, metricName, item.Line(), "Metric filters are a list of { dimension: value } conditions.");
                    return;
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
                        return;
                    }

                    filters.Add(new MetricFilter(dimension, values));
                }
            }
        }

        model.Add(
            new FieldDefinition(
                metricName, FieldKind.Metric, type, metric.Text("label") ?? FriendlyNames.Of(metricName), metric.Text("description"),
                sql ?? "*", metric.Flag("hidden") ?? false, metric.Text("format"), metric.Number("round"), metric.Line(),
                Percentile: type == "percentile" ? metric.Number("percentile") : null,
                MetricFilters: filters.Count > 0 ? filters : null, DistinctKeys: distinctKeys),
            problems);
    }

    private static void ReadJoin(ModelDefinition model, YamlNode node, Problems problems)
    {
        if (node is not YamlMappingNode join || join.Text("join") is not { Length: > 0 } target)
        {
            problems.Error(model, null, node.Line(), "A join needs the model to join (join: <model>).");
            return;
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
            model.Joins.Add(new JoinDefinition(target, join.Text("alias") ?? target, join.Text("label"), new ExploreJoin(sqlOn, type, relationship), join.Line()));
        }
    }

    /// <summary>
    /// The model's explore: its own fields and those of the models it joins (a join brings the joined
    /// model's fields, never its joins). Every join problem is reported, not only the first.
    /// </summary>
    private static Explore? BuildExplore(ModelDefinition model, Dictionary<string, ModelDefinition> models, HashSet<string> broken, Problems problems)
    {
        // A model with errors of its own is still checked through (every error at once), never returned.
        var tables = new List<ExploreTable> { new(model.Name, model.Name, model.SqlFrom, model.Label, null) };
        var fields = new Dictionary<string, ExploreField>(StringComparer.Ordinal);
        AddFields(fields, model.Name, model);
        var failed = broken.Contains(model.Name);
        var joinFailed = false;
        foreach (var join in model.Joins)
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
                problems.Error(model, join.Model, join.Line, problem);
                joinFailed = true;
                continue;
            }

            tables.Add(new ExploreTable(join.Alias, joined!.Name, joined.SqlFrom, join.Label ?? joined.Label, join.Join));
            AddFields(fields, join.Alias, joined);
        }

        if (joinFailed)
        {
            // References into the missing table would only repeat the join's error.
            return null;
        }

        // A reference the compiler could not resolve is the field's error now, not a query's later.
        foreach (var field in fields.Values)
        {
            foreach (var missing in DanglingReferences(field, fields))
            {
                problems.Error(model, field.Id, model.Line, $"Field {field.Id} refers to ${{{missing}}}, which is not a field of explore {model.Name}.");
                failed = true;
            }

            if (ReferenceKindProblem(field, fields) is { } kindProblem)
            {
                problems.Error(model, field.Id, model.Line, kindProblem);
                failed = true;
            }
        }

        return failed ? null : new Explore(model.Name, model.Label, model.Description, model.File, tables, fields);
    }

    /// <summary>The <c>${field}</c> and <c>${table.field}</c> references of the field's SQL that resolve to no field, as written.</summary>
    private static IEnumerable<string> DanglingReferences(ExploreField field, Dictionary<string, ExploreField> fields)
    {
        foreach (Match match in MetricQueryCompiler.Reference().Matches(field.Sql))
        {
            var first = match.Groups[1].Value;
            var id = match.Groups[2].Success ? $"{first}_{match.Groups[2].Value}" : first == "TABLE" ? null : $"{field.Table}_{first}";
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
            .Where(m => m.Groups[2].Success || m.Groups[1].Value != "TABLE")
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

    private static void AddFields(Dictionary<string, ExploreField> fields, string table, ModelDefinition model)
    {
        foreach (var field in model.Fields)
        {
            var id = $"{table}_{field.Name}";
            fields[id] = new ExploreField(
                id, field.Name, table, field.Kind, field.Type, field.Label, field.Description, field.Sql, field.Hidden, field.Format, field.Round,
                field.TimeInterval, field.BaseDimension, field.Percentile, field.MetricFilters, field.DistinctKeys);
        }
    }

    private sealed record FieldDefinition(
        string Name, FieldKind Kind, string Type, string Label, string? Description, string Sql, bool Hidden, string? Format, int? Round, int Line,
        string? TimeInterval = null, string? BaseDimension = null, int? Percentile = null, IReadOnlyList<MetricFilter>? MetricFilters = null,
        IReadOnlyList<string>? DistinctKeys = null);

    private sealed record JoinDefinition(string Model, string Alias, string? Label, ExploreJoin Join, int Line);

    private sealed class ModelDefinition(string file, string name, int line, string? description)
    {
        public string File { get; } = file;

        public string Name { get; } = name;

        public int Line { get; } = line;

        public string? Description { get; } = description;

        public string SqlFrom { get; set; } = name;

        public string Label { get; set; } = name;

        public List<FieldDefinition> Fields { get; } = [];

        public List<JoinDefinition> Joins { get; } = [];

        public void Add(FieldDefinition field, Problems problems)
        {
            if (Fields.Any(f => f.Name == field.Name))
            {
                problems.Error(this, field.Name, field.Line, $"Field {field.Name} is defined twice in model {Name}.");
                return;
            }

            Fields.Add(field);
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
