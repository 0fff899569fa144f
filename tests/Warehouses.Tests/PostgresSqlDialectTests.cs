using Lightdash.Net.Warehouses.Postgres;

namespace Lightdash.Net.Warehouses.Tests;

public class PostgresSqlDialectTests
{
    [Test]
    public void WrapWithWindow_WithoutWindow_StillMakesItOneSubquery() =>
        Assert.That(PostgresSqlDialect.Instance.WrapWithWindow("select 1;", null, null), Is.EqualTo("SELECT * FROM (\nselect 1\n) AS lightdash_window"));

    [Test]
    public void WrapWithWindow_TrailingSemicolonAndComment_StayInsideTheSubquery()
    {
        var sql = PostgresSqlDialect.Instance.WrapWithWindow("select 1 -- one\n ; ", 10, 20);
        Assert.That(sql, Is.EqualTo("SELECT * FROM (\nselect 1 -- one\n) AS lightdash_window LIMIT 10 OFFSET 20"));
    }
}

public class QueryTagTests
{
    [Test]
    public void SqlComment_KeepsOnlySafeCharactersOfTheContext_SoItCannotEndTheComment()
    {
        var tag = new QueryTag(Guid.Empty, null, Guid.Empty, "dash*/ drop table x; --board");

        Assert.That(tag.SqlComment(), Does.EndWith("context=dashdroptablex--board */").And.Contain("userUuid=none"));
        Assert.That(tag.SqlComment().IndexOf("*/", StringComparison.Ordinal), Is.EqualTo(tag.SqlComment().Length - 2));
    }

    [Test]
    public void ApplicationName_FitsPostgresLimit() =>
        Assert.That(new QueryTag(Guid.NewGuid(), null, Guid.NewGuid(), "api").ApplicationName.Length, Is.LessThanOrEqualTo(63));
}
