using Lightdash.Net.Common;

namespace Lightdash.Net.Common.Tests;

public class QueryStatusNamesTests
{
    [TestCase(QueryStatus.Pending, "pending")]
    [TestCase(QueryStatus.Queued, "queued")]
    [TestCase(QueryStatus.Executing, "executing")]
    [TestCase(QueryStatus.Ready, "ready")]
    [TestCase(QueryStatus.Error, "error")]
    [TestCase(QueryStatus.Cancelled, "cancelled")]
    [TestCase(QueryStatus.Expired, "expired")]
    public void ToName_And_Parse_RoundTrip(QueryStatus status, string name)
    {
        Assert.That(status.ToName(), Is.EqualTo(name));
        Assert.That(QueryStatusNames.Parse(name), Is.EqualTo(status));
    }

    [TestCase("Ready")]
    [TestCase("done")]
    [TestCase("")]
    public void Parse_UnknownName_Throws(string name) =>
        Assert.Throws<FormatException>(() => QueryStatusNames.Parse(name));

    [Test]
    public void IsActive_OnlyBeforeAFinalState()
    {
        var active = Enum.GetValues<QueryStatus>().Where(s => s.IsActive());
        Assert.That(active, Is.EquivalentTo(new[] { QueryStatus.Pending, QueryStatus.Queued, QueryStatus.Executing }));
    }
}
