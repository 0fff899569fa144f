using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Common;
using Lightdash.Net.TestSupport;
using Lightdash.Net.Warehouses.DuckDb;

namespace Lightdash.Net.Warehouses.Tests;

/// <summary>The embedded DuckDB client on a real database file: types, windows, errors and cancel.</summary>
public class DuckDbWarehouseClientTests
{
    private string _file = null!;
    private DuckDbWarehouseClient _client = null!;

    [OneTimeSetUp]
    public void CreateDatabase()
    {
        _file = Path.Combine(Path.GetTempPath(), $"lightdash-test-{Guid.NewGuid():N}.duckdb");
        _client = new DuckDbWarehouseClient($"Data Source={_file}");
    }

    [OneTimeTearDown]
    public async Task DeleteDatabase()
    {
        await _client.DisposeAsync();
        File.Delete(_file);
        File.Delete(_file + ".wal");
    }

    private Task<(IReadOnlyList<ResultColumn> Columns, List<string> Rows)> RunAsync(string sql, long? limit = null, long? offset = null) =>
        WarehouseRunner.RunAsync(_client, sql, limit, offset);

    private Task<string> ValueOfAsync(string expression) => WarehouseRunner.ValueOfAsync(_client, expression);

    [TestCase("42::integer", "42")]
    [TestCase("(-3)::tinyint", "-3")]
    [TestCase("18446744073709551615::ubigint", "18446744073709551615")]
    [TestCase("170141183460469231731687303715884105727::hugeint", "170141183460469231731687303715884105727")]
    [TestCase("123.450::decimal(18,3)", "123.450")]
    [TestCase("12345678901234567890.123456789012345678::decimal(38,18)", "12345678901234567890.123456789012345678")]
    [TestCase("0.1::double", "0.1")]
    [TestCase("'nan'::double", "\"NaN\"")]
    [TestCase("true", "true")]
    [TestCase("null::varchar", "null")]
    [TestCase("date '2024-02-29'", "\"2024-02-29\"")]
    [TestCase("timestamp '2024-02-29 13:45:00.123456'", "\"2024-02-29T13:45:00.123456\"")]
    [TestCase("timestamptz '2024-02-29 13:45:00+01'", "\"2024-02-29T12:45:00Z\"")]
    [TestCase("'\\x00\\xFF'::blob", "\"AP8=\"")]
    [TestCase("[1, null, 3]", "[1,null,3]")]
    // Nested values travel as DuckDB's JSON: decimals keep their value, not their trailing zeros.
    [TestCase("[[1.5, 2.25], []]::decimal(4,2)[][]", "[[1.5,2.25],[]]")]
    [TestCase("{'x': 1, 'y': 'two', 'z': [true]}", "{\"x\":1,\"y\":\"two\",\"z\":[true]}")]
    [TestCase("map([1, 2], ['a', 'b'])", "{\"1\":\"a\",\"2\":\"b\"}")]
    [TestCase("'a1b2c3d4-0000-4000-8000-000000000001'::uuid", "\"a1b2c3d4-0000-4000-8000-000000000001\"")]
    [TestCase("interval 14 months", "\"1 year 2 months\"")]
    public async Task WriteRow_KeepsEachTypesValue(string expression, string expectedJson) =>
        Assert.That(await ValueOfAsync(expression), Is.EqualTo(expectedJson));

    [Test]
    public async Task WriteRow_TrickyText_RoundTripsExactly()
    {
        const string tricky = "new\nline \u2028 emoji 🎉 quote\" backslash\\";
        var (_, rows) = await RunAsync("select $$" + tricky + "$$ as t");

        Assert.That(rows.Single(), Does.Not.Contain("\n"), "one row must stay one line");
        using var document = JsonDocument.Parse(rows.Single());
        Assert.That(document.RootElement.GetProperty("t").GetString(), Is.EqualTo(tricky));
    }

    [Test]
    public async Task Columns_MapDuckDbTypesToDimensionTypes()
    {
        var (columns, _) = await RunAsync(
            "select 1 as i, 2::hugeint as h, 1.5::decimal(10,2) as d, true as b, date '2024-01-01' as day, now() as ts, 'x' as s, [1] as l, {'a': 1} as st");

        Assert.That(columns.Select(c => (c.Reference, c.Type)), Is.EqualTo(new[]
        {
            ("i", DimensionType.Number), ("h", DimensionType.Number), ("d", DimensionType.Number), ("b", DimensionType.Boolean),
            ("day", DimensionType.Date), ("ts", DimensionType.Timestamp), ("s", DimensionType.String), ("l", DimensionType.String),
            ("st", DimensionType.String),
        }));
    }

    [Test]
    public async Task ExecuteAsync_LimitAndOffset_ReturnTheWindow()
    {
        var (_, rows) = await RunAsync("select range as i from range(100) order by i;", limit: 3, offset: 10);
        Assert.That(rows, Is.EqualTo(new[] { "{\"i\":10}", "{\"i\":11}", "{\"i\":12}" }));
    }

    [Test]
    public async Task ExecuteAsync_Tables_OfTheFile_AreRead()
    {
        await TestDuckDb.ExecuteAsync(_file, "create or replace table numbers as select range as n from range(5)");
        var (_, rows) = await RunAsync("select sum(n) as total from numbers");
        Assert.That(rows.Single(), Is.EqualTo("{\"total\":10}"));
    }

    [Test]
    public async Task ExecuteAsync_BadSql_ThrowsWithTheWarehouseMessage()
    {
        var error = await Assert.ThrowsAsync<WarehouseQueryException>(() => RunAsync("select * from no_such_table"));
        Assert.That(error!.Message, Does.Contain("no_such_table"));
    }

    [Test]
    public async Task ExecuteAsync_Cancelled_StopsTheQuery()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        Assert.That(
            async () =>
            {
                await using var reader = await _client.ExecuteAsync(new WarehouseQuery("select count(*) as n from range(100000000000)"), cancel.Token);
                await reader.ReadAsync(cancel.Token);
            },
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the cancel must not wait for the query");
    }
}
