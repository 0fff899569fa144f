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
