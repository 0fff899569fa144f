using System.Text.Json;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Content;

/// <summary>
/// Checks the shape of dashboard filters, so that a malformed rule is a 400 naming it instead of being
/// skipped (a query run without the filter its dashboard shows): <c>{ "dimensions": [rule...] }</c>, each
/// rule <c>{ "target": { "fieldId" }, "operator", "values"?: [...], "settings"?: {...},
/// "tileTargets"?: { "&lt;tileUuid&gt;": { "fieldId" } | false } }</c>.
/// </summary>
public static class DashboardFilterRules
{
    private static readonly HashSet<string> Groups = ["dimensions", "metrics", "tableCalculations"];

    /// <summary>400 naming the first thing wrong; nothing for null.</summary>
    public static void Validate(JsonElement? filters, string path)
    {
        if (filters is not { } root || root.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException($"{path} must be an object: {{ \"dimensions\": [rules] }}.");
        }

        var count = 0;
        foreach (var group in root.EnumerateObject())
        {
            if (!Groups.Contains(group.Name))
            {
                throw new ValidationException($"{path}.{group.Name} is not a filter group; use dimensions, metrics or tableCalculations.");
            }

            if (group.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (group.Value.ValueKind != JsonValueKind.Array)
            {
                throw new ValidationException($"{path}.{group.Name} must be a list of filter rules.");
            }

            var index = 0;
            foreach (var rule in group.Value.EnumerateArray())
            {
                if (++count > InputLimits.MaxFilterRules)
                {
                    throw new ValidationException($"{path} has more than {InputLimits.MaxFilterRules} filter rules.");
                }

                ValidateRule(rule, $"{path}.{group.Name}[{index++}]");
            }
        }
    }

    private static void ValidateRule(JsonElement rule, string path)
    {
        // The rule itself reads like any query's; what is the dashboard's own is tileTargets.
        FilterParser.ReadRule(rule, path);
        if (!rule.TryGetProperty("tileTargets", out var targets) || targets.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (targets.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException($"{path}.tileTargets must be an object of tile uuids, each {{ \"fieldId\" }} or false.");
        }

        foreach (var tile in targets.EnumerateObject())
        {
            var ok = tile.Value.ValueKind == JsonValueKind.False
                || (tile.Value.ValueKind == JsonValueKind.Object && tile.Value.TryGetProperty("fieldId", out var f) && f.ValueKind == JsonValueKind.String);
            if (!Guid.TryParse(tile.Name, out _) || !ok)
            {
                throw new ValidationException($"{path}.tileTargets.{tile.Name} must name a tile uuid and be {{ \"fieldId\" }} or false.");
            }
        }
    }
}
