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
public static partial class ModelFileLoader
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

        var explores = BuildExplores(models, parameters, problems);

        // An explore built twice from one model (its own and an extra one) reports a model problem once.
        return new ExploreCatalog(explores, [.. problems.Errors.Distinct()], [.. problems.Warnings.Distinct()], parameters);
    }

    /// <summary>Every model's own explore and its extra ones; models whose own definition has errors build none.</summary>
    private static Dictionary<string, Explore> BuildExplores(
        Dictionary<string, ModelDefinition> models, Dictionary<string, ParameterDefinition> parameters, Problems problems)
    {
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

        return explores;
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
}
