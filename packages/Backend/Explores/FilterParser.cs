using System.Text.Json;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Explores;

/// <summary>Reads Lightdash's filter JSON (groups of <c>and</c>/<c>or</c>, rules with targets) into the compiler's filter tree.</summary>
public static class FilterParser
{
    private const int MaxDepth = 20;

    /// <summary>The most filter rules in one query (all groups together).</summary>
    public const int MaxFilterRules = InputLimits.MaxFilterRules;

    /// <summary>The most values in one filter rule.</summary>
    public const int MaxValuesPerRule = InputLimits.MaxValuesPerRule;

    private static readonly HashSet<string> Groups = ["dimensions", "metrics", "tableCalculations"];

    /// <summary>
    /// The dimension and metric groups of a <c>filters</c> object. Anything malformed is a 400 naming it,
    /// never dropped; at most <see cref="MaxFilterRules"/> rules in all, each with at
    /// most <see cref="MaxValuesPerRule"/> values, so that no query makes the warehouse
    /// plan an expression too large to stop.
    /// </summary>
    public static (FilterGroup? Dimensions, FilterGroup? Metrics) Parse(JsonElement? filters, string path = "filters")
    {
        if (filters is not { ValueKind: JsonValueKind.Object } root)
        {
            return filters is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }
                ? (null, null)
                : throw new ValidationException($"{path} must be an object with dimensions and metrics groups.");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!Groups.Contains(property.Name))
            {
                throw new ValidationException($"{path}.{property.Name} is not a filter group; use dimensions or metrics.");
            }
        }

        if (root.TryGetProperty("tableCalculations", out var calculations) && calculations.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            throw new ValidationException($"{path}.tableCalculations: filters on table calculations are not supported yet.");
        }

        var budget = new Budget();
        return (Group(root, "dimensions", path, budget), Group(root, "metrics", path, budget));
    }

    private sealed class Budget
    {
        public int Rules { get; set; }
    }

    private static FilterGroup? Group(JsonElement root, string name, string path, Budget budget)
    {
        if (!root.TryGetProperty(name, out var group) || group.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return group.ValueKind == JsonValueKind.Object
            ? ReadGroup(group, $"{path}.{name}", 0, budget)
            : throw new ValidationException($"{path}.{name} must be a filter group: {{ \"and\": [...] }} or {{ \"or\": [...] }}.");
    }

    private static FilterGroup ReadGroup(JsonElement group, string path, int depth, Budget budget)
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
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new ValidationException($"{itemPath} must be a filter rule or group (an object).");
            }

            if (item.TryGetProperty("and", out _) || item.TryGetProperty("or", out _))
            {
                nodes.Add(ReadGroup(item, itemPath, depth + 1, budget));
                continue;
            }

            if (++budget.Rules > MaxFilterRules)
            {
                throw new ValidationException($"{itemPath}: a query takes at most {MaxFilterRules} filter rules.");
            }

            nodes.Add(ReadRule(item, itemPath));
        }

        return new FilterGroup(combinator, nodes);
    }

    /// <summary>One filter rule (<c>target.fieldId</c>, <c>operator</c>, scalar <c>values</c>, <c>settings</c>); a 400 naming what is wrong.</summary>
    public static FilterRule ReadRule(JsonElement rule, string path)
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
        if (rule.TryGetProperty("values", out var list) && list.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            throw new ValidationException($"{path}.values must be a list.");
        }

        if (list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > MaxValuesPerRule)
        {
            throw new ValidationException($"{path}.values has {list.GetArrayLength()} values; a rule takes at most {MaxValuesPerRule}.");
        }

        if (list.ValueKind == JsonValueKind.Array)
        {
            foreach (var value in list.EnumerateArray())
            {
                values.Add(value.ValueKind switch
                {
                    JsonValueKind.String when value.GetString()!.Contains('\0', StringComparison.Ordinal) =>
                        throw new ValidationException($"{path}.values: text cannot hold the NUL character."),
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
