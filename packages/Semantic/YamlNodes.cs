using YamlDotNet.RepresentationModel;

namespace Lightdash.Net.Semantic;

/// <summary>Small helpers to read a YAML tree with positions.</summary>
internal static class YamlNodes
{
    public static int Line(this YamlNode node) => (int)node.Start.Line;

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

    /// <summary>The Lightdash settings of a model or column: <c>meta</c>, merged with the newer <c>config.meta</c> (which wins).</summary>
    public static YamlMappingNode Meta(this YamlMappingNode owner)
    {
        var merged = new YamlMappingNode();
        foreach (var source in new[] { owner.Child("meta"), (owner.Child("config") as YamlMappingNode)?.Child("meta") })
        {
            if (source is YamlMappingNode map)
            {
                foreach (var (key, value) in map.Children)
                {
                    merged.Children[key] = value;
                }
            }
        }

        return merged;
    }
}
