using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

// ModelFileLoader, continued: definitions.
public static partial class ModelFileLoader
{
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
