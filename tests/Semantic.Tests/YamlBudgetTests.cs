using System.Text;

namespace Lightdash.Net.Semantic.Tests;

public class YamlBudgetTests
{
    /// <summary>An alias bomb: each anchor a list of <paramref name="width"/> aliases of the one before, <paramref name="depth"/> levels.</summary>
    internal static string AliasBomb(int width, int depth)
    {
        var yaml = new StringBuilder("a0: &a0 [x]\n");
        for (var level = 1; level <= depth; level++)
        {
            yaml.Append(CultureInvariant($"a{level}: &a{level} [")).Append(string.Join(", ", Enumerable.Repeat(CultureInvariant($"*a{level - 1}"), width))).Append("]\n");
        }

        return yaml.ToString();
    }

    internal static string Nested(int depth) => "x: " + new string('[', depth) + new string(']', depth) + "\n";

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    [Test]
    public void Measure_DeepNesting_IsRefusedNamingTheDepthWithoutOverflowingTheStack()
    {
        var excess = YamlBudget.Default.FindExcess(Nested(100_000));

        Assert.That(excess, Does.Contain("nest more than 64 deep"));
    }

    [Test]
    public void Measure_AliasBomb_IsRefusedAtItsExpandedSize()
    {
        var excess = YamlBudget.Default.FindExcess(AliasBomb(9, 10));

        Assert.That(excess, Does.Contain("more than 1,000,000 nodes with its aliases expanded"));
    }

    [Test]
    public void Measure_CountsAliasesAsTheirAnchorsSubtree()
    {
        // a0: 2 nodes (sequence + scalar); a1: 1 + 3 x 2; a2: 1 + 3 x 7; plus the three key scalars.
        var measure = YamlBudget.Default.Measure(AliasBomb(3, 2));

        Assert.Multiple(() =>
        {
            Assert.That(measure.Excess, Is.Null);
            Assert.That(measure.Nodes, Is.EqualTo(3 + 2 + 7 + 22 + 1));
        });
    }

    [Test]
    public void Measure_FileOverItsSize_IsRefusedNamingTheSize()
    {
        var budget = YamlBudget.Default with { MaxFileBytes = 1000 };

        Assert.That(budget.FindExcess("x: " + new string('y', 2000)), Does.Contain("at most 1,000 are accepted per file"));
    }

    [Test]
    public void Measure_OrdinaryModelFile_KeepsWithinEveryLimit()
    {
        var yaml = "models:\n  - name: orders\n    columns:\n" + string.Concat(Enumerable.Range(0, 500).Select(i =>
            FormattableString.Invariant($"      - name: c{i}\n        meta:\n          dimension:\n            type: number\n            colors: &c{i} {{a: red, b: blue}}\n          metrics:\n            m{i}: {{type: sum, x: *c{i}}}\n")));

        Assert.That(YamlBudget.Default.FindExcess(yaml), Is.Null);
    }

    [Test]
    public void Load_AliasBombInAColumnsColors_IsAModelErrorNotAnExpansion()
    {
        var file = "models:\n  - name: orders\n    columns:\n      - name: id\n        meta:\n          dimension:\n            type: number\n            colors: *a10\n";

        var catalog = ModelFileLoader.Load([("models/orders.yml", AliasBomb(9, 10) + file)]);

        Assert.That(catalog.Errors.Select(e => e.Message), Has.Some.Contains("nodes with its aliases expanded"));
        Assert.That(catalog.Explores, Is.Empty);
    }
}
