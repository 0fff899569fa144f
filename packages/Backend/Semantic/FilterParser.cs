using System.Text.Json;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Semantic;

/// <summary>Reads Lightdash's filter JSON (groups of <c>and</c>/<c>or</c>, rules with targets) into the compiler's filter tree.</summary>
public static class FilterParser
{
    private const int MaxDepth = 20;

    /// <summary>The dimension and metric groups of a <c>filters</c> object.</summary>
    public static (FilterGroup? Dimensions, FilterGroup? Metrics) Parse(JsonElement? filters)
    {
        if (filters is not { ValueKind: JsonValueKind.Object } root)
        {
            return filters is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }
                ? (null, null)
                : throw new ValidationException("filters must be an object with dimensions and metrics groups.");
        }

        return (Group(root, "dimensions"), Group(root, "metrics"));
    }

    private static FilterGroup? Group(JsonElement root, string name) =>
        root.TryGetProperty(name, out var group) && group.ValueKind == JsonValueKind.Object ? ReadGroup(group, $"filters.{name}", 0) : null;

    private static FilterGroup ReadGroup(JsonElement group, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ValidationException($"{path}: filter groups nest more than {MaxDepth} deep.");
        }

        var (combinator, items) = group.TryGetProperty("and", out var and) ? ("and", and)
            : group.TryGetProperty("or", out var or) ? ("or", or)
            : throw new ValidationException($"{path}: a filter group needs \"and\" or \"or\".");
        if (items.ValueKind != JsonValueKind.Array)
        {
            throw new ValidationException($"{path}.{combinator} must be a list.");
        }

        var nodes = new List<FilterNode>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var itemPath = $"{path}.{combinator}[{index++}]";
            nodes.Add(item.TryGetProperty("and", out _) || item.TryGetProperty("or", out _) ? ReadGroup(item, itemPath, depth + 1) : ReadRule(item, itemPath));
        }

        return new FilterGroup(combinator, nodes);
    }

    private static FilterRule ReadRule(JsonElement rule, string path)
    {
        if (rule.ValueKind != JsonValueKind.Object
            || !rule.TryGetProperty("target", out var target) || target.ValueKind != JsonValueKind.Object
            || !target.TryGetProperty("fieldId", out var fieldId) || fieldId.ValueKind != JsonValueKind.String)
        {
            throw new ValidationException($"{path}: a filter rule needs target.fieldId.");
        }

        if (!rule.TryGetProperty("operator", out var op) || op.ValueKind != JsonValueKind.String)
        {
            throw new ValidationException($"{path}: a filter rule needs an operator.");
        }

        var values = new List<FilterValue>();
        if (rule.TryGetProperty("values", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var value in list.EnumerateArray())
            {
                values.Add(value.ValueKind switch
                {
                    JsonValueKind.String => new FilterValue(value.GetString()!, true),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => new FilterValue(value.GetRawText(), false),
                    _ => throw new ValidationException($"{path}.values: values must be strings, numbers or booleans."),
                });
            }
        }

        string? unit = null;
        var completed = false;
        if (rule.TryGetProperty("settings", out var settings) && settings.ValueKind == JsonValueKind.Object)
        {
            unit = settings.TryGetProperty("unitOfTime", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            completed = settings.TryGetProperty("completed", out var c) && c.ValueKind == JsonValueKind.True;
        }

        return new FilterRule(fieldId.GetString()!, op.GetString()!, values, unit, completed);
    }
}
