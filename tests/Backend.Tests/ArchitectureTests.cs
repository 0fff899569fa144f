using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.NUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The rules between the capability folders of the backend and the libraries below it, checked on the
/// compiled code (decision 0017): an arrow that points the wrong way fails here, with the types that
/// draw it.
/// </summary>
public class ArchitectureTests
{
    private static readonly Architecture Code = new ArchLoader().LoadAssemblies(
        typeof(Program).Assembly,
        typeof(Semantic.ModelFileLoader).Assembly,
        typeof(Warehouses.IWarehouseClient).Assembly,
        typeof(Common.QueryStatus).Assembly,
        typeof(Client.LightdashClient).Assembly).Build();

    /// <summary>
    /// Each capability and the capabilities it may use, lowest first. A capability uses only those
    /// below it: the table is the one-way map of the README, and no cycle can pass it.
    /// </summary>
    private static readonly (string Capability, string[] MayUse)[] Capabilities =
    [
        ("Platform", []),
        ("Access", ["Platform"]),
        ("ResultsStorage", ["Platform", "Access"]),
        ("Queries", ["Platform", "Access", "ResultsStorage"]),
        ("Explores", ["Platform", "Access", "ResultsStorage", "Queries"]),
        ("Content", ["Platform", "Access", "ResultsStorage", "Queries", "Explores"]),
        ("Statements", ["Platform", "Access", "ResultsStorage", "Queries"]),
        ("Deliveries", ["Platform", "Access", "ResultsStorage", "Queries", "Explores", "Content"]),
        ("Browser", ["Platform"]),
    ];

    private static IEnumerable<TestCaseData> EachCapability() =>
        Capabilities.Select(c => new TestCaseData(c.Capability, c.MayUse).SetName($"{c.Capability}_UsesOnly_{(c.MayUse.Length == 0 ? "Itself" : string.Join("_", c.MayUse))}"));

    private static ArchUnitNET.Fluent.Syntax.Elements.Types.GivenTypesConjunctionWithDescription In(string capability) =>
        Types().That().ResideInNamespaceMatching($@"^Lightdash\.Net\.Backend\.{capability}(\..*)?$").As(capability);

    private static readonly IObjectProvider<IType> AspNetCore =
        Types().That().ResideInNamespaceMatching(@"^Microsoft\.AspNetCore(\..*)?$").As("ASP.NET Core");

    [TestCaseSource(nameof(EachCapability))]
    public void ACapability_UsesOnlyThoseBelowIt(string capability, string[] mayUse)
    {
        var others = Capabilities.Select(c => c.Capability).Where(c => c != capability && !mayUse.Contains(c)).ToArray();
        var rule = Types().That().Are(In(capability)).Should().NotDependOnAny(In(others[0]));
        foreach (var other in others.Skip(1))
        {
            rule = rule.AndShould().NotDependOnAny(In(other));
        }

        rule.Check(Code);
    }

    [Test]
    public void TheCapabilities_HaveNoCycles()
    {
        // Independent of the table above: the capabilities' dependency graph, as the compiled code draws it, has no cycle.
        var graph = CapabilityGraph();
        Assert.That(graph.Keys, Is.SupersetOf(Capabilities.Select(c => c.Capability)), "every capability is seen");
        Assert.That(FindCycle(graph), Is.Null, "a cycle between capabilities");
    }

    [Test]
    public void EveryBackendType_LivesInAKnownCapability()
    {
        var known = string.Join("|", Capabilities.Select(c => c.Capability));
        Types().That().ResideInNamespaceMatching(@"^Lightdash\.Net\.Backend(\..*)?$")
            .And().DoNotHaveFullName("Program")
            .Should().ResideInNamespaceMatching($@"^Lightdash\.Net\.Backend\.({known})(\..*)?$")
            .Because("a new folder takes its place in the table of capabilities")
            .Check(Code);
    }

    [Test]
    public void DataAccess_UsesNoHttpType() =>
        Types().That().HaveNameEndingWith("Store").And().ResideInNamespaceMatching(@"^Lightdash\.Net\.Backend(\..*)?$")
            .Should().NotDependOnAny(AspNetCore).Check(Code);

    [Test]
    public void ResultsStorage_UsesNoHttpType() =>
        Types().That().Are(In("ResultsStorage")).Should().NotDependOnAny(AspNetCore).Check(Code);

    [Test]
    public void Controllers_AreUsedByNothingElse() =>
        Types().That().AreNotAssignableTo(typeof(Microsoft.AspNetCore.Mvc.ControllerBase))
            .Should().NotDependOnAny(Classes().That().AreAssignableTo(typeof(Microsoft.AspNetCore.Mvc.ControllerBase)))
            .Check(Code);

    [Test]
    public void OnlyPlatform_BuildsTheErrorEnvelope() =>
        // Others answer an error by throwing a typed exception, or (outside MVC: authentication, the
        // rate limiter) through Platform's one writer, ApiErrorWriter; none builds the body itself.
        Types().That().DoNotResideInNamespace("Lightdash.Net.Backend.Platform")
            .Should().NotDependOnAny(Types().That().HaveFullName("Lightdash.Net.Backend.Platform.ApiError"))
            .Check(Code);

    [Test]
    public void TheLibraries_KnowNothingOfTheBackend() =>
        Types().That().ResideInNamespaceMatching(@"^Lightdash\.Net\.(Common|Warehouses|Semantic)(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Lightdash\.Net\.Backend(\..*)?$"))
            .Check(Code);

    [Test]
    public void TheClient_KnowsOnlyTheApi() =>
        Types().That().ResideInNamespace("Lightdash.Net.Client")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Lightdash\.Net\.(Backend|Common|Warehouses|Semantic)(\..*)?$"))
            .AndShould().NotDependOnAny(AspNetCore)
            .Check(Code);

    [Test]
    public void TheSemanticLayer_RunsNoWarehouse() =>
        Types().That().ResideInNamespace("Lightdash.Net.Semantic")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Lightdash\.Net\.Warehouses(\..*)?$"))
            .Check(Code);

    [TestCaseSource(nameof(EachCapability))]
    public void TheRules_SeeTheCode(string capability, string[] mayUse)
    {
        Assert.That(In(capability).GetObjects(Code), Is.Not.Empty, $"{capability} holds types");
        // Every capability but the lowest uses Platform (errors, options): the rules see that edge.
        if (capability != "Platform")
        {
            Assert.That(Types().That().Are(In(capability)).Should().NotDependOnAny(In("Platform")).HasNoViolations(Code), Is.False);
        }
    }

    [Test]
    public void TheCycleCheck_WouldCatchACycle()
    {
        var graph = CapabilityGraph();
        Assert.That(graph["Queries"], Does.Contain("Access"), "the graph sees a real edge");
        // Add the reverse of a real edge: the check names the cycle.
        graph["Access"].Add("Queries");
        Assert.That(FindCycle(graph), Is.EqualTo(new[] { "Access", "Queries", "Access" }).Or.EqualTo(new[] { "Queries", "Access", "Queries" }));
    }

    private static string? CapabilityOf(IType? type)
    {
        const string prefix = "Lightdash.Net.Backend.";
        var ns = type?.Namespace?.FullName ?? "";
        return ns.StartsWith(prefix, StringComparison.Ordinal) ? ns[prefix.Length..].Split('.')[0] : null;
    }

    private static Dictionary<string, HashSet<string>> CapabilityGraph()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in Code.Types)
        {
            if (CapabilityOf(type) is not { } from)
            {
                continue;
            }

            var edges = graph.TryGetValue(from, out var set) ? set : graph[from] = [];
            foreach (var dependency in type.Dependencies)
            {
                if (CapabilityOf(dependency.Target) is { } to && to != from)
                {
                    edges.Add(to);
                }
            }
        }

        return graph;
    }

    /// <summary>A cycle as the capabilities along it (first repeated last), or null.</summary>
    private static string[]? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>();
        var path = new List<string>();
        string[]? Visit(string node)
        {
            var at = path.IndexOf(node);
            if (at >= 0)
            {
                return [.. path.Skip(at), node];
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return graph.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }
}
