using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Lightdash.Net.Semantic;

/// <summary>
/// How large one model file may be, checked on YAML's event stream before any tree is built: its
/// size in bytes, how deep its mappings and sequences nest, and how many nodes it holds once every
/// alias is expanded (an alias of an anchor counts the anchor's whole subtree again, so an alias bomb
/// is counted at its expanded size without ever being expanded).
/// </summary>
/// <param name="MaxFileBytes">The largest file, in UTF-8 bytes.</param>
/// <param name="MaxDepth">The deepest nesting of mappings and sequences.</param>
/// <param name="MaxNodes">The most nodes (scalars, mappings, sequences) with aliases expanded.</param>
public sealed record YamlBudget(long MaxFileBytes, int MaxDepth, long MaxNodes)
{
    /// <summary>4 MiB, 64 levels, 1,000,000 nodes: far beyond a real project's largest schema file.</summary>
    public static YamlBudget Default { get; } = new(4L << 20, 64, 1_000_000);

    /// <summary>The first limit <paramref name="content"/> exceeds, as a sentence naming it; null when it keeps within all.</summary>
    public string? FindExcess(string content) => Measure(content).Excess;

    /// <summary>
    /// The file's nodes with aliases expanded, and the first limit it exceeds (null when none). The
    /// scan stops at the first limit passed, so its cost is bounded by the limits, not by the file.
    /// </summary>
    public YamlMeasure Measure(string content)
    {
        var bytes = Encoding.UTF8.GetByteCount(content);
        if (bytes > MaxFileBytes)
        {
            return new YamlMeasure(0, $"it is {bytes:N0} bytes long; at most {MaxFileBytes:N0} are accepted per file");
        }

        try
        {
            return Scan(new Parser(new StringReader(content)));
        }
        catch (YamlException)
        {
            // Not valid YAML: the loader's own parse reports it with its line.
            return new YamlMeasure(0, null);
        }
    }

    private YamlMeasure Scan(Parser parser)
    {
        // One frame per open mapping or sequence: the nodes of its subtree so far, and its anchor.
        var open = new Stack<(long Nodes, string? Anchor)>();
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        while (parser.MoveNext())
        {
            long added;
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (open.Count >= MaxDepth)
                    {
                        return new YamlMeasure(total, $"its mappings and sequences nest more than {MaxDepth} deep (line {parser.Current.Start.Line})");
                    }

                    open.Push((1, AnchorOf(parser.Current)));
                    continue;
                case MappingEnd or SequenceEnd:
                    var (nodes, anchor) = open.Pop();
                    Remember(anchors, anchor, nodes);
                    added = nodes;
                    break;
                case Scalar scalar:
                    Remember(anchors, AnchorOf(scalar), 1);
                    added = 1;
                    break;
                case AnchorAlias alias:
                    // An alias of an unknown anchor is the parser's error to report.
                    added = anchors.GetValueOrDefault(alias.Value.Value, 1);
                    break;
                default:
                    continue;
            }

            if (open.Count > 0)
            {
                var (nodes, anchor) = open.Pop();
                open.Push((nodes + added, anchor));
            }
            else
            {
                total += added;
            }

            if (total + open.Sum(f => f.Nodes) > MaxNodes)
            {
                return new YamlMeasure(total, $"it holds more than {MaxNodes:N0} nodes with its aliases expanded (line {parser.Current!.Start.Line})");
            }
        }

        return new YamlMeasure(total, null);
    }

    private static string? AnchorOf(ParsingEvent parsingEvent) =>
        parsingEvent is NodeEvent { Anchor: { IsEmpty: false } anchor } ? anchor.Value : null;

    private static void Remember(Dictionary<string, long> anchors, string? anchor, long nodes)
    {
        if (anchor is not null)
        {
            anchors[anchor] = nodes;
        }
    }
}

/// <summary>What <see cref="YamlBudget.Measure"/> found.</summary>
/// <param name="Nodes">The nodes counted, aliases expanded (up to where the scan stopped).</param>
/// <param name="Excess">The first limit passed, as a sentence naming it; null when none was.</param>
public sealed record YamlMeasure(long Nodes, string? Excess);
