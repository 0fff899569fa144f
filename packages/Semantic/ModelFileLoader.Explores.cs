using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

// ModelFileLoader, continued: explores.
public static partial class ModelFileLoader
{
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
        if (!AddJoins(model, definition, models, broken, tables, fields, referenceOnly, problems))
        {
            // References into the missing table would only repeat the join's error.
            return null;
        }

        var failed = broken.Contains(model.Name);
        failed |= !CheckReferences(model, definition, tables, fields, referenceOnly, parameters, problems);
        var (presentation, presentationFailed) = PresentationOf(model, fields, problems);
        return failed || presentationFailed
            ? null
            : new Explore(
                definition.Name, definition.Label, definition.Description, model.File, tables, fields, presentation.Count > 0 ? presentation : null,
                referenceOnly.Count > 0 ? referenceOnly : null, model.Access, model.SqlFilter);
    }

    // The joined tables with their fields (listed ones queryable, the rest for references only); false when a join fails.
    private static bool AddJoins(
        ModelDefinition model, ExploreDefinition definition, Dictionary<string, ModelDefinition> models, HashSet<string> broken,
        List<ExploreTable> tables, Dictionary<string, ExploreField> fields, Dictionary<string, ExploreField> referenceOnly, Problems problems)
    {
        var ok = true;
        foreach (var join in definition.Joins ?? model.Joins)
        {
            models.TryGetValue(join.Model, out var joined);
            var problem = joined is null ? $"The join refers to model {join.Model}, which does not exist."
                : broken.Contains(joined.Name) ? $"The join refers to model {join.Model}, which has errors."
                : tables.Any(t => t.Name == join.Alias) ? $"Table name {join.Alias} is used twice in this explore; give the join an alias."
                : join.Fields?.FirstOrDefault(name => joined.Fields.All(f => f.Name != name)) is { } unknown ? $"The join's fields list {unknown}, which is not a field of {join.Model}."
                : null;
            if (problem is not null)
            {
                var inExplore = definition.Name == model.Name || problem.StartsWith("The join's fields", StringComparison.Ordinal) ? problem : $"Explore {definition.Name}: {problem}";
                problems.Error(model, join.Model, join.Line, inExplore);
                ok = false;
                continue;
            }

            tables.Add(new ExploreTable(join.Alias, joined!.Name, joined.SqlFrom, join.Label ?? joined.Label, join.Join, join.Description));
            bool Listed(FieldDefinition f) => join.Fields is null || join.Fields.Contains(f.Name) || (f.BaseDimension is { } baseName && join.Fields.Contains(baseName));
            AddFields(fields, join.Alias, joined.Fields.Where(Listed).Select(f => join.Hidden ? f with { Hidden = true } : f), joined.Access);
            AddFields(referenceOnly, join.Alias, joined.Fields.Where(f => !Listed(f)), joined.Access);
        }

        return ok;
    }

    // A reference the compiler could not resolve is the field's error now, not a query's later; false when one is found.
    private static bool CheckReferences(
        ModelDefinition model, ExploreDefinition definition, List<ExploreTable> tables, Dictionary<string, ExploreField> fields,
        Dictionary<string, ExploreField> referenceOnly, Dictionary<string, ParameterDefinition> parameters, Problems problems)
    {
        var referable = new Dictionary<string, ExploreField>(referenceOnly, StringComparer.Ordinal);
        foreach (var (id, field) in fields)
        {
            referable[id] = field;
        }

        var ok = true;
        foreach (var field in fields.Values)
        {
            foreach (var missing in DanglingReferences(field, referable))
            {
                problems.Error(model, field.Id, model.Line, $"Field {field.Id} refers to ${{{missing}}}, which is not a field of explore {definition.Name}.");
                ok = false;
            }

            if (ReferenceKindProblem(field, referable) is { } kindProblem)
            {
                problems.Error(model, field.Id, model.Line, kindProblem);
                ok = false;
            }

            foreach (var parameter in SqlVariables.ParameterReferences(field.IntervalSql ?? field.Sql).Where(p => !parameters.ContainsKey(p)))
            {
                problems.Error(model, field.Id, model.Line, $"Field {field.Id} refers to parameter {parameter}, which lightdash.config.yml and the models do not define.");
                ok = false;
            }
        }

        foreach (var parameter in new[] { model.SqlFilter ?? "" }.Concat(tables.Skip(1).Select(t => t.Join!.SqlOn)).SelectMany(SqlVariables.ParameterReferences).Where(p => !parameters.ContainsKey(p)).Distinct())
        {
            problems.Error(model, null, model.Line, $"The model's sql_filter or a join refers to parameter {parameter}, which is not defined.");
            ok = false;
        }

        return ok;
    }

    // The explore's settings shown to clients, with its default time dimension checked; Failed when one is wrong.
    private static (Dictionary<string, JsonNode?> Presentation, bool Failed) PresentationOf(ModelDefinition model, Dictionary<string, ExploreField> fields, Problems problems)
    {
        var presentation = model.Presentation is null ? new Dictionary<string, JsonNode?>(StringComparer.Ordinal) : new Dictionary<string, JsonNode?>(model.Presentation, StringComparer.Ordinal);
        var failed = false;
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

        return (presentation, failed);
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
}
