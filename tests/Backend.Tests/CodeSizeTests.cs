using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The house's size rules, checked on the source: no file over 400 lines (source, tests, bench, examples) and no method (or
/// constructor, accessor, local function) over 60, so that each reads on a screen or two. Data tables
/// written as one switch expression count like any method.
/// </summary>
public class CodeSizeTests
{
    private const int MaxFileLines = 400;
    private const int MaxMethodLines = 60;

    private static readonly string Packages = Path.Combine(RepositoryRoot(), "packages");

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Packages, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Test]
    public void TheRules_SeeTheSource() =>
        Assert.That(SourceFiles().Count(), Is.GreaterThan(200));

    [Test]
    public void NoSourceFile_IsOver400Lines()
    {
        var root = RepositoryRoot();
        var over = new[] { "packages", "tests", "bench", "examples" }
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (File: Path.GetRelativePath(root, f), Lines: File.ReadAllLines(f).Length))
            .Where(f => f.Lines > MaxFileLines)
            .Select(f => $"{f.File}: {f.Lines} lines");
        Assert.That(over, Is.Empty);
    }

    [Test]
    public void NoMethod_IsOver60Lines()
    {
        var over = SourceFiles().SelectMany(LongMembers);
        Assert.That(over, Is.Empty);
    }

    [Test]
    public void TheMethodRule_WouldCatchALongMethod()
    {
        var body = string.Concat(Enumerable.Repeat("        Console.WriteLine();\n", MaxMethodLines));
        var tree = CSharpSyntaxTree.ParseText($"class C\n{{\n    void M()\n    {{\n{body}    }}\n}}\n", path: "C.cs");
        Assert.That(LongMembers(tree), Has.Exactly(1).Contains("C.cs:3 M"));
    }

    private static IEnumerable<string> LongMembers(string file) =>
        LongMembers(CSharpSyntaxTree.ParseText(File.ReadAllText(file), path: Path.GetRelativePath(Packages, file)));

    private static IEnumerable<string> LongMembers(SyntaxTree tree) =>
        tree.GetRoot().DescendantNodes()
            .Where(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax)
            .Select(n => (Node: n, Span: n.GetLocation().GetLineSpan()))
            .Where(m => m.Span.EndLinePosition.Line - m.Span.StartLinePosition.Line + 1 > MaxMethodLines)
            .Select(m => $"{tree.FilePath}:{m.Span.StartLinePosition.Line + 1} {NameOf(m.Node)} ({m.Span.EndLinePosition.Line - m.Span.StartLinePosition.Line + 1} lines)");

    private static string NameOf(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax method => method.Identifier.Text,
        ConstructorDeclarationSyntax constructor => constructor.Identifier.Text,
        LocalFunctionStatementSyntax local => local.Identifier.Text,
        AccessorDeclarationSyntax accessor => accessor.Keyword.Text,
        _ => node.Kind().ToString(),
    };

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Lightdash.Net.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Lightdash.Net.sln) was not found above the test's folder.");
    }
}
