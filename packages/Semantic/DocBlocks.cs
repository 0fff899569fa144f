using System.Text.RegularExpressions;

namespace Lightdash.Net.Semantic;

/// <summary>
/// dbt doc blocks: <c>{% docs name %}...{% enddocs %}</c> in a project's <c>.md</c> files, and the
/// <c>{{ doc("name") }}</c> references in descriptions that they replace.
/// </summary>
public sealed partial class DocBlocks
{
    private readonly Dictionary<string, string> _blocks = new(StringComparer.Ordinal);

    /// <summary>Reads the blocks of one markdown file (a later file's block of the same name wins).</summary>
    public void Add(string markdown)
    {
        foreach (Match match in Block().Matches(markdown))
        {
            _blocks[match.Groups[1].Value] = match.Groups[2].Value.Trim();
        }
    }

    /// <summary>
    /// The text with every <c>{{ doc("name") }}</c> replaced by its block; the names that have no block
    /// are returned in <paramref name="missing"/> and left as written.
    /// </summary>
    public string? Resolve(string? text, out IReadOnlyList<string> missing)
    {
        var notFound = new List<string>();
        missing = notFound;
        if (text is null)
        {
            return null;
        }

        return Reference().Replace(text, match =>
        {
            var name = match.Groups[2].Value;
            if (_blocks.TryGetValue(name, out var block))
            {
                return block;
            }

            notFound.Add(name);
            return match.Value;
        }).Trim();
    }

    [GeneratedRegex(@"\{%-?\s*docs\s+([A-Za-z0-9_]+)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"\{\{\s*doc\(\s*(['""])([A-Za-z0-9_]+)\1\s*\)\s*\}\}")]
    private static partial Regex Reference();
}
