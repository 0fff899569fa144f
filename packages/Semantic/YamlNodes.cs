using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

/// <summary>Small helpers to read a YAML tree with positions.</summary>
internal static class YamlNodes
{
    public static int Line(this YamlNode node) =>
        node.Start.Line > 0 || node is not YamlMappingNode { Children.Count: > 0 } map
            ? (int)node.Start.Line
            : map.Children.Keys.First().Line(); // a merged mapping has no place of its own: its first key's

    public static YamlNode? Child(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Text(this YamlMappingNode map, string key) =>
        map.Child(key) is YamlScalarNode { Value: { } value } ? value : null;

    public static bool? Flag(this YamlMappingNode map, string key) =>
        map.Text(key) is { } text && bool.TryParse(text, out var flag) ? flag : null;

    public static int? Number(this YamlMappingNode map, string key) =>
        map.Text(key) is { } text && int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : null;

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlMappingNode map) =>
        map.Children.Select(entry => (((YamlScalarNode)entry.Key).Value ?? "", entry.Value));

    /// <summary>
    /// The Lightdash settings of a model or column: <c>meta</c>, merged with the newer <c>config.meta</c>
    /// at every level (<c>dimension</c>, <c>metrics</c>, <c>joins</c>... mappings are merged key by key;
    /// where both set the same key to a value or a list, <c>config.meta</c> wins).
    /// </summary>
    public static YamlMappingNode Meta(this YamlMappingNode owner)
    {
        var merged = new YamlMappingNode();
        foreach (var source in new[] { owner.Child("meta"), (owner.Child("config") as YamlMappingNode)?.Child("meta") })
        {
            if (source is YamlMappingNode map)
            {
                MergeInto(merged, map);
            }
        }

        return merged;
    }

    private static void MergeInto(YamlMappingNode target, YamlMappingNode source)
    {
        foreach (var (key, value) in source.Children)
        {
            if (value is YamlMappingNode map && target.Children.TryGetValue(key, out var existing) && existing is YamlMappingNode existingMap)
            {
                var both = new YamlMappingNode();
                MergeInto(both, existingMap);
                MergeInto(both, map);
                target.Children[key] = both;
            }
            else
            {
                target.Children[key] = value;
            }
        }
    }
}
