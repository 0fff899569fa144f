using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Common;
using Lightdash.Net.TestSupport;
using Lightdash.Net.Warehouses.Postgres;

namespace Lightdash.Net.Warehouses.Tests;

/// <summary>The PostgreSQL client against the real server: types, windows, errors and cancel.</summary>
[Category(TestCategories.Integration)]
public class PostgresWarehouseClientTests
{
    private TestDatabase _database = null!;
    private PostgresWarehouseClient _client = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        await TestServers.EnsurePostgresAsync();
        _database = await TestDatabase.CreateAsync("warehouse");
        _client = new PostgresWarehouseClient(_database.ReaderConnectionString);
    }

    [OneTimeTearDown]
    public async Task DropDatabase()
    {
        await _client.DisposeAsync();
        await _database.DisposeAsync();
    }

    private Task<(IReadOnlyList<ResultColumn> Columns, List<string> Rows)> RunAsync(string sql, long? limit = null, long? offset = null) =>
        WarehouseRunner.RunAsync(_client, sql, limit, offset);

    private Task<string> ValueOfAsync(string expression) => WarehouseRunner.ValueOfAsync(_client, expression);

    [TestCase("42::smallint", "42")]
    [TestCase("(-2147483648)::integer", "-2147483648")]
    [TestCase("9223372036854775807::bigint", "9223372036854775807")]
    [TestCase("123456789012345678901234567890.123456789::numeric", "123456789012345678901234567890.123456789")]
    [TestCase("-0.0001234::numeric", "-0.0001234")]
    [TestCase("1.50::numeric(10,2)", "1.50")]
    [TestCase("'NaN'::numeric", "\"NaN\"")]
    [TestCase("0.1::double precision", "0.1")]
    [TestCase("'Infinity'::double precision", "\"Infinity\"")]
    [TestCase("1.5::real", "1.5")]
    [TestCase("true", "true")]
    [TestCase("null::text", "null")]
    [TestCase("date '2024-02-29'", "\"2024-02-29\"")]
    [TestCase("timestamp '2024-02-29 13:45:00.123456'", "\"2024-02-29T13:45:00.123456\"")]
    [TestCase("timestamptz '2024-02-29 13:45:00+01'", "\"2024-02-29T12:45:00Z\"")]
    [TestCase("'a1b2c3d4-0000-4000-8000-000000000001'::uuid", "\"a1b2c3d4-0000-4000-8000-000000000001\"")]
    [TestCase("'{\"b\": [1, 2.50, null], \"a\": {\"x\": true}}'::jsonb", "{\"a\": {\"x\": true}, \"b\": [1, 2.50, null]}")]
    [TestCase("E'{\"keep\":\\n  \"compact\"}'::json", "{\"keep\":\"compact\"}")]
    [TestCase("ARRAY[1, NULL, 3]", "[1,null,3]")]
    [TestCase("ARRAY[['a', 'b'], ['c', 'd']]", "[[\"a\",\"b\"],[\"c\",\"d\"]]")]
    [TestCase("'\\x00ff'::bytea", "\"AP8=\"")]
    [TestCase("interval '1 year 2 months 3 days 04:05:06.5'", "\"P1Y2M3DT4H5M6.5S\"")]
    public async Task WriteRow_KeepsEachTypesValue(string expression, string expectedJson) =>
        Assert.That(await ValueOfAsync(expression), Is.EqualTo(expectedJson));

    [Test]
    public async Task WriteRow_TrickyText_RoundTripsExactly()
    {
        var tricky = "line one\nline two\r\n\u2028\u2029 tab\t quote\" backslash\\ emoji 🎉 nul-looking \\u0000 ümlaut";
        await _database.ExecuteAsync("create table if not exists texts (t text)");
        await _database.ExecuteAsync("truncate texts");
        await using (var connection = new Npgsql.NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand("insert into texts values (@t)", connection);
            insert.Parameters.AddWithValue("t", tricky);
            await insert.ExecuteNonQueryAsync();
        }

        var (_, rows) = await RunAsync("select t from texts");

        Assert.That(rows.Single(), Does.Not.Contain("\n"), "one row must stay one line");
        using var document = JsonDocument.Parse(rows.Single());
        Assert.That(document.RootElement.GetProperty("t").GetString(), Is.EqualTo(tricky));
    }

    [Test]
    public async Task Columns_MapWarehouseTypesToDimensionTypes()
    {
        var (columns, _) = await RunAsync("select 1 as i, 1.5::numeric as n, true as b, current_date as d, now() as ts, 'x' as s, '{}'::jsonb as j");

        Assert.That(columns.Select(c => (c.Reference, c.Type)), Is.EqualTo(new[]
        {
            ("i", DimensionType.Number), ("n", DimensionType.Number), ("b", DimensionType.Boolean), ("d", DimensionType.Date),
            ("ts", DimensionType.Timestamp), ("s", DimensionType.String), ("j", DimensionType.String),
        }));
    }

    [Test]
    public async Task ExecuteAsync_LimitAndOffset_ReturnTheWindow()
    {
        var (_, rows) = await RunAsync("select i from generate_series(1, 100) i order by i;", limit: 3, offset: 10);
        Assert.That(rows, Is.EqualTo(new[] { "{\"i\":11}", "{\"i\":12}", "{\"i\":13}" }));
    }

    [Test]
    public async Task ExecuteAsync_BadSql_ThrowsWithTheWarehouseMessage()
    {
        var error = await Assert.ThrowsAsync<WarehouseQueryException>(() => RunAsync("select * from no_such_table"));
        Assert.That(error!.Message, Does.Contain("relation \"no_such_table\" does not exist"));
    }

    [Test]
    public async Task ExecuteAsync_Cancelled_StopsTheQueryOnTheServer()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();

        Assert.That(
            async () =>
            {
                await using var reader = await _client.ExecuteAsync(new WarehouseQuery("select pg_sleep(30) as slept"), cancel.Token);
                await reader.ReadAsync(cancel.Token);
            },
            Throws.InstanceOf<OperationCanceledException>());

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the cancel must not wait for the query");
        var running = await _database.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where query like '%select pg_sleep(30)%' and state = 'active' and pid <> pg_backend_pid()");
        Assert.That(running, Is.Zero);
    }
}
