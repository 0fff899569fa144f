using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.NUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The rules between the folders of the backend and the libraries below it, checked on the compiled
/// code: an arrow that points the wrong way fails here. (The capability folders and the rule against
/// cycles between them come with issue #25's move; these are the rules that hold today.)
/// </summary>
public class ArchitectureTests
{
    private static readonly Architecture Code = new ArchLoader().LoadAssemblies(
        typeof(Program).Assembly,
        typeof(Semantic.ModelFileLoader).Assembly,
        typeof(Warehouses.IWarehouseClient).Assembly,
        typeof(Common.QueryStatus).Assembly).Build();

    private static ArchUnitNET.Fluent.Syntax.Elements.Types.GivenTypesConjunctionWithDescription In(string folder) => Types().That().ResideInNamespace($"Lightdash.Net.Backend.{folder}").As(folder);

    private static readonly IObjectProvider<IType> AspNetCore =
        Types().That().ResideInNamespaceMatching(@"^Microsoft\.AspNetCore(\..*)?$").As("ASP.NET Core");

    [Test]
    public void DataAccess_UsesNoHttpType_AndNothingAboveIt() =>
        Types().That().Are(In("Data")).Should().NotDependOnAny(AspNetCore)
            .AndShould().NotDependOnAny(In("Controllers"))
            .AndShould().NotDependOnAny(In("Contracts"))
            .AndShould().NotDependOnAny(In("Services"))
            .Check(Code);

    [Test]
    public void ResultsStorage_UsesNoHttpType_NoContract_AndNoService() =>
        Types().That().Are(In("Results")).Should().NotDependOnAny(AspNetCore)
            .AndShould().NotDependOnAny(In("Controllers"))
            .AndShould().NotDependOnAny(In("Contracts"))
            .AndShould().NotDependOnAny(In("Services"))
            .Check(Code);

    [Test]
    public void Controllers_AreUsedByNothingElse() =>
        Types().That().DoNotResideInNamespace("Lightdash.Net.Backend.Controllers").Should().NotDependOnAny(In("Controllers")).Check(Code);

    [Test]
    public void TheLibraries_KnowNothingOfTheBackend() =>
        Types().That().ResideInNamespaceMatching(@"^Lightdash\.Net\.(Common|Warehouses|Semantic)(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Lightdash\.Net\.Backend(\..*)?$"))
            .Check(Code);

    [Test]
    public void TheSemanticLayer_RunsNoWarehouse() =>
        Types().That().ResideInNamespace("Lightdash.Net.Semantic")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Lightdash\.Net\.Warehouses(\..*)?$"))
            .Check(Code);

    [Test]
    public void OnlyTheHttpFolder_WritesTheErrorEnvelope() =>
        Types().That().DoNotResideInNamespace("Lightdash.Net.Backend.Http")
            .And().DoNotResideInNamespace("Lightdash.Net.Backend.Controllers")
            .And().DoNotResideInNamespace("Lightdash.Net.Backend.Contracts")
            .And().DoNotResideInNamespace("Lightdash.Net.Backend.Extensions")
            .Should().NotDependOnAny(Types().That().HaveFullName("ApiErrorResponse"))
            .Check(Code);

    [TestCase("Data")]
    [TestCase("Results")]
    [TestCase("Controllers")]
    public void TheRules_SeeTheCode_AndWouldCatchABackEdge(string folder)
    {
        Assert.That(In(folder).GetObjects(Code), Is.Not.Empty, $"{folder} holds types");
        // A real edge (services use the folder, or controllers use services) is seen as one.
        var seen = folder == "Controllers"
            ? Types().That().Are(In("Controllers")).Should().NotDependOnAny(In("Services")).HasNoViolations(Code)
            : Types().That().Are(In("Services")).Should().NotDependOnAny(In(folder)).HasNoViolations(Code);
        Assert.That(seen, Is.False);
    }
}
