using System.Text.Json;
using Lightdash.Net.TestSupport;
using static Lightdash.Net.Backend.Tests.RowValues;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Values keep their types all the way from PostgreSQL through S3 to a page.</summary>
[Category(TestCategories.Integration)]
public class TypeFidelityTests
{
    private BackendHost _host = null!;
    private JsonElement _row;
    private JsonElement _columns;

    [OneTimeSetUp]
    public async Task RunShowcase()
    {
        _host = await BackendHost.StartAsync();
        var queryUuid = await _host.RunToReadyAsync(
            """
            select 9007199254740993::bigint as big,
                   123456789012345678901234567890.123456789::numeric as exact,
                   2.50::numeric(5,2) as scaled,
                   0.1::float8 as float,
                   false as flag,
                   date '2024-02-29' as day,
                   timestamptz '2024-02-29 13:45:00.5+01' as instant,
                   timestamp '2024-02-29 13:45:00' as local_time,
                   '{"a": [1, {"b": null}]}'::jsonb as doc,
                   array['x', null, 'z'] as list,
                   E'new\nline \u2028 🎉 "quoted"' as text,
                   null::integer as nothing
            """);
        var (_, body) = await _host.GetPageAsync(queryUuid);
        _row = body.GetProperty("results").GetProperty("rows")[0].Clone();
        _columns = body.GetProperty("results").GetProperty("columns").Clone();
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [TestCase("big", "9007199254740993")]
    [TestCase("exact", "123456789012345678901234567890.123456789")]
    [TestCase("scaled", "2.50")]
    [TestCase("float", "0.1")]
    [TestCase("flag", "false")]
    [TestCase("day", "\"2024-02-29\"")]
    [TestCase("instant", "\"2024-02-29T12:45:00.5Z\"")]
    [TestCase("local_time", "\"2024-02-29T13:45:00\"")]
    [TestCase("doc", "{\"a\":[1,{\"b\":null}]}")]
    [TestCase("list", "[\"x\",null,\"z\"]")]
    [TestCase("nothing", "null")]
    public void RawValue_KeepsItsJsonType(string field, string expectedJson) =>
        Assert.That(Raw(_row, field).GetRawText(), Is.EqualTo(expectedJson));

    [Test]
    public void Text_RoundTripsExactly() =>
        Assert.That(Raw(_row, "text").GetString(), Is.EqualTo("new\nline \u2028 🎉 \"quoted\""));

    [TestCase("exact", "123456789012345678901234567890.123456789")]
    [TestCase("flag", "false")]
    [TestCase("nothing", "∅")]
    [TestCase("day", "2024-02-29")]
    public void Formatted_IsTheValueAsText(string field, string expected) =>
        Assert.That(Formatted(_row, field), Is.EqualTo(expected));

    [TestCase("big", "number")]
    [TestCase("exact", "number")]
    [TestCase("flag", "boolean")]
    [TestCase("day", "date")]
    [TestCase("instant", "timestamp")]
    [TestCase("local_time", "timestamp")]
    [TestCase("doc", "string")]
    [TestCase("text", "string")]
    public void Column_HasItsDimensionType(string field, string type) =>
        Assert.That(_columns.GetProperty(field).GetProperty("type").GetString(), Is.EqualTo(type));
}
