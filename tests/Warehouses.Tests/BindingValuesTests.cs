namespace Lightdash.Net.Warehouses.Tests;

/// <summary>Snowflake's binding types and texts turned into the values bound beside the SQL.</summary>
public class BindingValuesTests
{
    private static object? Parse(string type, string? value) => BindingValues.Parse(new BindingValues.Binding(type, value));

    [Test]
    public void Parse_GivesTypedValues()
    {
        Assert.That(Parse("FIXED", "-42"), Is.EqualTo(-42L));
        Assert.That(Parse("FIXED", "12.345"), Is.EqualTo(12.345m));
        Assert.That(Parse("REAL", "1.5e3"), Is.EqualTo(1500d));
        Assert.That(Parse("TEXT", "x' or 1=1"), Is.EqualTo("x' or 1=1"));
        Assert.That(Parse("BOOLEAN", "TRUE"), Is.EqualTo(true));
        Assert.That(Parse("DATE", "2024-02-29"), Is.EqualTo(new DateOnly(2024, 2, 29)));
        Assert.That(Parse("DATE", "86400000"), Is.EqualTo(new DateOnly(1970, 1, 2)), "milliseconds since the epoch, as drivers send dates");
        Assert.That(Parse("TIME", "13:14:15.5"), Is.EqualTo(new TimeOnly(13, 14, 15, 500)));
        Assert.That(Parse("TIMESTAMP_NTZ", "2024-01-05 09:15:00"), Is.EqualTo(new DateTime(2024, 1, 5, 9, 15, 0, DateTimeKind.Unspecified)));
        Assert.That(Parse("TIMESTAMP_NTZ", "1000000000"), Is.EqualTo(new DateTime(1970, 1, 1, 0, 0, 1)), "nanoseconds since the epoch");
        Assert.That(Parse("TIMESTAMP_TZ", "2024-01-05T09:15:00+02:00"), Is.EqualTo(new DateTimeOffset(2024, 1, 5, 7, 15, 0, TimeSpan.Zero)));
        Assert.That(Parse("TEXT", null), Is.Null);
    }

    [TestCase("FIXED", "1e5")]
    [TestCase("FIXED", "1; drop table x")]
    [TestCase("REAL", "NaN")]
    [TestCase("BOOLEAN", "yes")]
    [TestCase("DATE", "05/01/2024")]
    [TestCase("TIME", "25:00")]
    [TestCase("TIMESTAMP_LTZ", "soon")]
    [TestCase("VARIANT", "{}")]
    public void Parse_RefusesValuesThatDoNotFitTheirType(string type, string value) =>
        Assert.That(() => Parse(type, value), Throws.TypeOf<FormatException>());

    [Test]
    public void FromJson_KeepsTheOrder()
    {
        var values = BindingValues.FromJson("""[{"type":"FIXED","value":"1"},{"type":"TEXT","value":"b"},{"type":"TEXT","value":null}]""");

        Assert.That(values, Is.EqualTo(new object?[] { 1L, "b", null }));
        Assert.That(BindingValues.FromJson(null), Is.Null);
    }
}
