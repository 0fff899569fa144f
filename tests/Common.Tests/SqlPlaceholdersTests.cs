using Lightdash.Net.Common;

namespace Lightdash.Net.Common.Tests;

public class SqlPlaceholdersTests
{
    [TestCase("select ?", "select $1", new[] { 1 })]
    [TestCase("select ?, ?, ?", "select $1, $2, $3", new[] { 1, 2, 3 })]
    [TestCase("select :2, :1, :2", "select $2, $1, $2", new[] { 1, 2 })]
    [TestCase("select 1::int, x::text", "select 1::int, x::text", new int[0])]
    [TestCase("select '?', 'a:1', \"col?\"", "select '?', 'a:1', \"col?\"", new int[0])]
    [TestCase("select 'it''s ?' , ?", "select 'it''s ?' , $1", new[] { 1 })]
    [TestCase("select ? -- why?\n, ?", "select $1 -- why?\n, $2", new[] { 1, 2 })]
    [TestCase("select /* ? :1 */ ?", "select /* ? :1 */ $1", new[] { 1 })]
    [TestCase("select $$ ? $$, $tag$ :1 $tag$, ?", "select $$ ? $$, $tag$ :1 $tag$, $1", new[] { 1 })]
    [TestCase("select $1, a$b", "select $1, a$b", new int[0])]
    [TestCase("select 'unterminated ?", "select 'unterminated ?", new int[0])]
    public void Rewrite_NumbersPlaceholders_OutsideQuotesAndComments(string sql, string expected, int[] numbers)
    {
        var rewritten = SqlPlaceholders.Rewrite(sql);

        Assert.That(rewritten.Sql, Is.EqualTo(expected));
        Assert.That(rewritten.Numbers, Is.EqualTo(numbers));
    }
}
