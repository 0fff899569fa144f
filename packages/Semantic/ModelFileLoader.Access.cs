using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

// ModelFileLoader, continued: access.
public static partial class ModelFileLoader
{
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
}
