using System.Net;
using System.Text.Json;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// POST .../query/compose-sql: SQL over stored results in an embedded DuckDB, with the warehouse
/// untouched; column types survive the round trip; only the caller's own ready results can be read,
/// and the DuckDB session reaches nothing else.
/// </summary>
[Category(TestCategories.Integration)]
public class ComposeSqlTests
{
    private BackendHost _host = null!;
    private Guid _orders;
    private Guid _customers;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        await _host.Warehouse.ExecuteAsync("""
            create table typed (id int4, big int8, price numeric(12,4), wide numeric(30,10), exact numeric, ratio float8, day date, at timestamp, at_tz timestamptz,
                                done boolean, doc jsonb, label text);
            insert into typed values
              (1, 9007199254740993, 10.5000, 12345678901234567890.1234567891, 123456789012345678.123456789, 0.25, '2024-01-05', '2024-01-05 09:15:00.123456', '2024-01-05 09:15:00+02',
               true, '{"a": [1, 2, {"b": null}]}', 'O''Brien'),
              (2, -1, 0.0001, -0.0000000001, -0.000000001, null, null, null, null, false, '[]', null),
              (3, 3, null, null, 42, 1e20, '1999-12-31', '1999-12-31 23:59:59', '1999-12-31 23:59:59+00', null, null, 'x');
            create table customers (customer_id int4, country text);
            insert into customers values (1, 'GB'), (2, 'US');
            create table orders (order_id int4, customer_id int4, amount numeric(10,2));
            insert into orders values (1, 1, 10), (2, 1, 20), (3, 2, 30.5);
            """);
        _orders = await _host.RunToReadyAsync("select * from orders");
        _customers = await _host.RunToReadyAsync("select * from customers");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private Task<(HttpStatusCode Status, JsonElement Body)> ComposeAsync(string sql, object references, HttpClient? client = null) =>
        BackendHost.SendAsync(client ?? _host.Client, HttpMethod.Post, $"{_host.QueryPath()}/compose-sql", new { sql, references, waitMs = 30_000 });

    private static List<JsonElement> Rows(JsonElement body)
    {
        var page = body.GetProperty("results").GetProperty("firstPage");
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("ready"), page.ToString());
        return [.. page.GetProperty("rows").EnumerateArray()];
    }

    [Test]
    public async Task Join_OfTwoResults_GivesTheWarehousesAnswer()
    {
        const string joined = "select c.country, sum(o.amount) as total, count(*) as n from {0} o join {1} c on o.customer_id = c.customer_id group by 1 order by 1";

        var (status, body) = await ComposeAsync(string.Format(joined, "orders", "customers"), new { orders = _orders, customers = _customers });
        var onWarehouse = await _host.WaitForFinalStateAsync(await _host.SubmitAsync(string.Format(joined, "orders", "customers")));

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var composed = Rows(body).Select(r => (RowValues.Raw(r, "country").GetString(), RowValues.Raw(r, "total").GetDecimal(), RowValues.Raw(r, "n").GetInt64()));
        var expected = onWarehouse.GetProperty("rows").EnumerateArray().Select(r => (RowValues.Raw(r, "country").GetString(), RowValues.Raw(r, "total").GetDecimal(), RowValues.Raw(r, "n").GetInt64()));
        Assert.That(composed, Is.EqualTo(expected));
        Assert.That(composed.First(), Is.EqualTo(("GB", 30m, 2L)));
    }

    [Test]
    public async Task Text_ThatALineReaderCouldTripOn_SurvivesTheRoundTrip()
    {
        // Control characters (escaped in JSON), the text of the line delimiter, quotes, tabs, line breaks,
        // non-Latin letters, empty strings and nulls, a column name with a quote, and a line of about a megabyte.
        const string sql = """
            select 1 as id, 'tab' || chr(9) || 'quote"' || chr(1) || 'ctrl' || chr(13) || chr(10) || 'line' as "we""ird name", '\x01 \u0001 ,;|' as literal, repeat('é', 500000) as long_text
            union all select 2, '', null, ''
            union all select 3, 'emoji 🚀 ünïcode', 'back\slash "quoted"', null
            order by id
            """;
        var original = await _host.WaitForFinalStateAsync(await _host.RunToReadyAsync(sql));

        var (status, body) = await ComposeAsync("select * from t order by id", new { t = original.GetProperty("queryUuid").GetGuid() });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var expected = original.GetProperty("rows").EnumerateArray().ToList();
        var composed = Rows(body);
        Assert.That(composed, Has.Count.EqualTo(3));
        for (var i = 0; i < expected.Count; i++)
        {
            foreach (var column in new[] { "id", "we\"ird name", "literal", "long_text" })
            {
                Assert.That(RowValues.Raw(composed[i], column).ToString(), Is.EqualTo(RowValues.Raw(expected[i], column).ToString()), $"row {i} {column}");
                Assert.That(RowValues.Raw(composed[i], column).ValueKind, Is.EqualTo(RowValues.Raw(expected[i], column).ValueKind), $"row {i} {column}");
            }
        }
    }

    [Test]
    public async Task Types_SurviveTheRoundTrip()
    {
        var original = await _host.WaitForFinalStateAsync(await _host.RunToReadyAsync("select * from typed order by id"));

        var (status, body) = await ComposeAsync("select * from typed order by id", new { typed = original.GetProperty("queryUuid").GetGuid() });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var expected = original.GetProperty("rows").EnumerateArray().ToList();
        var composed = Rows(body);
        Assert.That(composed, Has.Count.EqualTo(3));
        for (var i = 0; i < expected.Count; i++)
        {
            foreach (var column in new[] { "id", "big", "price", "wide", "exact", "ratio", "done", "label" })
            {
                var want = RowValues.Raw(expected[i], column);
                var got = RowValues.Raw(composed[i], column);
                Assert.That(got.ValueKind, Is.EqualTo(want.ValueKind), $"row {i} {column}");
                if (want.ValueKind == JsonValueKind.Number)
                {
                    Assert.That(got.GetDecimal(), Is.EqualTo(want.GetDecimal()), $"row {i} {column}: exact, not rounded through a float");
                }
                else
                {
                    Assert.That(got.ToString(), Is.EqualTo(want.ToString()), $"row {i} {column}");
                }
            }

            foreach (var column in new[] { "day", "at", "at_tz" })
            {
                var want = RowValues.Raw(expected[i], column);
                var got = RowValues.Raw(composed[i], column);
                Assert.That(got.ValueKind == JsonValueKind.Null ? null : (DateTimeOffset?)DateTimeOffset.Parse(got.GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                    Is.EqualTo(want.ValueKind == JsonValueKind.Null ? null : DateTimeOffset.Parse(want.GetString()!, System.Globalization.CultureInfo.InvariantCulture)), $"row {i} {column}");
            }

            var doc = RowValues.Raw(expected[i], "doc");
            Assert.That(JsonSerializer.Serialize(Normalise(RowValues.Raw(composed[i], "doc"))), Is.EqualTo(JsonSerializer.Serialize(Normalise(doc))), $"row {i} doc: nested JSON kept");
        }

        var columns = await _host.HistoryValueAsync<string>(body.GetProperty("results").GetProperty("queryUuid").GetGuid(), "columns::text");
        Assert.That(columns, Does.Contain("DECIMAL(27,9)"), "the unconstrained numeric got the widest scale and integer part in the data");
        Assert.That(columns, Does.Contain("DECIMAL(12,4)").And.Contain("DECIMAL(30,10)"), "declared precisions are kept, read as stored (12 digits) or as strings (30)");
    }

    [Test]
    public async Task AResultLargerThanTheComposeMemoryLimit_SpillsToDisk_AndGivesTheWarehousesAnswer()
    {
        // A million distinct 64-character texts: more than the compose database's 96 MB, loaded and then counted distinct.
        const string sql = "select i, md5(i::text) || md5((i * 7)::text) as payload from generate_series(1, 1000000) i";
        var source = await _host.RunToReadyAsync(sql);
        var direct = await _host.WaitForFinalStateAsync(await _host.SubmitAsync($"select max(payload) as top from ({sql}) t"));

        var (status, body) = await ComposeAsync("select count(distinct payload) as n, max(payload) as top from big", new { big = source });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var row = Rows(body).Single();
        Assert.That(RowValues.Raw(row, "n").GetInt64(), Is.EqualTo(1_000_000));
        Assert.That(RowValues.Raw(row, "top").GetString(), Is.EqualTo(RowValues.Raw(direct.GetProperty("rows")[0], "top").GetString()));
    }

    // A JSON value as a plain tree: DuckDB's JSON type may hand back the text of the value.
    private static string? Normalise(JsonElement value) => value.ValueKind == JsonValueKind.String && value.GetString() is { } text && text.Length > 0 && text[0] is '{' or '['
        ? JsonDocument.Parse(text).RootElement.Clone().ToString()
        : value.ValueKind == JsonValueKind.Null ? null : value.ToString();

    [Test]
    public async Task Parameters_AreLiteralsInComposedSql()
    {
        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/compose-sql", new
        {
            sql = "select count(*) as n from orders where cast(order_id as varchar) = ${lightdash.parameters.free}",
            references = new { orders = _orders },
            parameters = new { free = "1' or '1'='1" },
            waitMs = 30_000,
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), "the project defines no parameter named free: " + body);
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("free"));
    }

    [Test]
    public async Task ComposedResult_IsCachedByItsReferences()
    {
        var (_, first) = await ComposeAsync("select count(*) as n from orders", new { orders = _orders });
        var (_, again) = await ComposeAsync("select count(*) as n from orders", new { orders = _orders });
        var (_, other) = await ComposeAsync("select count(*) as n from orders", new { orders = _customers });

        Assert.That(again.GetProperty("results").GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.True);
        Assert.That(other.GetProperty("results").GetProperty("cacheMetadata").GetProperty("cacheHit").GetBoolean(), Is.False, "another result under the same name is another query");
        Assert.That(RowValues.Raw(Rows(first).Single(), "n").GetInt64(), Is.EqualTo(3));
        Assert.That(RowValues.Raw(Rows(other).Single(), "n").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task EveryReferenceThatIsNotAReadyResultOfTheCaller_Is400NamingIt()
    {
        var running = await _host.SubmitAsync($"select pg_sleep(30) -- {Guid.NewGuid():N}");
        var failed = await _host.SubmitAsync("select * from no_such_table");
        await _host.WaitForFinalStateAsync(failed);
        var cancelled = await _host.SubmitAsync($"select pg_sleep(30) -- {Guid.NewGuid():N}");
        await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{cancelled}/cancel");
        var expired = await _host.RunToReadyAsync($"select 1 as one -- {Guid.NewGuid():N}");
        await _host.Metadata.ExecuteAsync($"update query_history set results_expires_at = now() - interval '1 minute' where query_uuid = '{expired}'");
        using var other = await _host.CreateMemberClientAsync($"dev-{Guid.NewGuid():N}@example.com", "developer");

        var cases = new (string Name, Guid Reference, string Expected, HttpClient? Client)[]
        {
            ("running", running, "not ready", null),
            ("failed", failed, "error", null),
            ("cancelled", cancelled, "cancelled", null),
            ("expired", expired, "expired", null),
            ("missing", Guid.NewGuid(), "does not exist", null),
            ("foreign", _orders, "does not exist", other),
        };
        foreach (var (name, reference, expected, client) in cases)
        {
            var before = await _host.Metadata.ScalarAsync<long>("select count(*) from query_history");
            var (status, body) = await ComposeAsync("select * from t", new Dictionary<string, Guid> { ["t"] = reference }, client);
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), $"{name}: {body}");
            Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(reference.ToString()).And.Contain(expected), name);
            Assert.That(await _host.Metadata.ScalarAsync<long>("select count(*) from query_history"), Is.EqualTo(before), $"{name}: nothing queued");
        }

        await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{running}/cancel");
    }

    [TestCase("select * from read_csv('/etc/passwd')")]
    [TestCase("select * from read_text('/etc/hostname')")]
    [TestCase("select * from orders; copy orders to '/tmp/leak.csv'")]
    [TestCase("attach '/tmp/other.duckdb' as other")]
    public async Task TheDuckDbSession_ReachesNoFile(string sql)
    {
        var (status, body) = await ComposeAsync(sql, new { orders = _orders });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var page = body.GetProperty("results").GetProperty("firstPage");
        Assert.That(page.GetProperty("status").GetString(), Is.EqualTo("error"), page.ToString());
        Assert.That(File.Exists("/tmp/leak.csv"), Is.False);
    }

    [TestCase("{}", "1 to 10")]
    [TestCase("{\"bad name\": \"00000000-0000-0000-0000-000000000001\"}", "table name")]
    public async Task BadReferenceLists_Are400(string references, string expected)
    {
        var (status, body) = await ComposeAsync("select 1", JsonDocument.Parse(references).RootElement);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task Viewers_CannotCompose()
    {
        using var viewer = await _host.CreateMemberClientAsync($"viewer-{Guid.NewGuid():N}@example.com", "viewer");

        Assert.That((await ComposeAsync("select 1", new { orders = _orders }, viewer)).Status, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> ViewAsync(Guid queryUuid, object request) =>
        BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{queryUuid}/view", request);

    [Test]
    public async Task View_SortsAndFiltersLikeTheSameSqlOnTheWarehouse()
    {
        var typed = await _host.RunToReadyAsync("select * from typed");

        var (status, body) = await ViewAsync(typed, new
        {
            filters = new object[]
            {
                new { column = "id", @operator = "greaterThanOrEqual", values = new object[] { 1 } },
                new { column = "day", @operator = "inBetween", values = new object[] { "1999-01-01", "2024-12-31" } },
            },
            sorts = new[] { new { column = "price", descending = true } },
            waitMs = 30_000,
        });
        var same = await _host.WaitForFinalStateAsync(await _host.SubmitAsync(
            "select * from typed where id >= 1 and day between date '1999-01-01' and date '2024-12-31' order by price desc nulls last"));

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(Rows(body).Select(r => RowValues.Raw(r, "id").GetInt32()), Is.EqualTo(same.GetProperty("rows").EnumerateArray().Select(r => RowValues.Raw(r, "id").GetInt32())));
        Assert.That(Rows(body).Select(r => RowValues.Raw(r, "id").GetInt32()), Is.EqualTo(new[] { 1, 3 }));
        var (_, text) = await ViewAsync(typed, new { filters = new[] { new { column = "label", @operator = "include", values = new[] { "brien" } } }, waitMs = 30_000 });
        Assert.That(Rows(text).Select(r => RowValues.Raw(r, "label").GetString()), Is.EqualTo(new[] { "O'Brien" }));
        var (_, injected) = await ViewAsync(typed, new { filters = new[] { new { column = "label", @operator = "equals", values = new[] { "x' or '1'='1" } } }, waitMs = 30_000 });
        Assert.That(Rows(injected), Is.Empty, "a value is a literal");
    }

    [TestCase("{\"filters\": [{\"column\": \"nope\", \"operator\": \"equals\", \"values\": [1]}]}", "not a column")]
    [TestCase("{\"filters\": [{\"column\": \"order_id\", \"operator\": \"like\", \"values\": [1]}]}", "not one of")]
    [TestCase("{\"filters\": [{\"column\": \"order_id\", \"operator\": \"equals\", \"values\": [\"1; drop\"]}]}", "not a number")]
    [TestCase("{\"filters\": [{\"column\": \"order_id\", \"operator\": \"include\", \"values\": [\"1\"]}]}", "applies to text")]
    [TestCase("{\"sorts\": [{\"column\": \"id\\\" desc; --\"}]}", "not a column")]
    [TestCase("{\"limit\": 0}", "limit")]
    public async Task View_BadInput_Is400(string request, string expected)
    {
        var (status, body) = await ViewAsync(_orders, JsonDocument.Parse(request).RootElement);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task View_OfAnotherUsersQuery_Is404LikeAnUnknownOne()
    {
        using var other = await _host.CreateMemberClientAsync($"other-{Guid.NewGuid():N}@example.com", "developer");
        var path = $"{_host.QueryPath()}/{_orders}/view";

        var (status, body) = await BackendHost.SendAsync(other, HttpMethod.Post, path, new { limit = 5 });
        var (unknown, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{Guid.NewGuid()}/view", new { limit = 5 });

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), body.ToString());
        Assert.That(unknown, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
