using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The whole result as an Arrow IPC stream: typed columns, bounded batches, read by Apache.Arrow and by the apache-arrow npm package.</summary>
[Category(TestCategories.Integration)]
public class ArrowResultsTests
{
    private const string ArrowType = "application/vnd.apache.arrow.stream";

    private const string TypedTable = """
        create table typed (id bigint, small int, amount numeric(12,4), plain numeric, wide numeric(38,10), ratio float8, day date,
                            at timestamp, at_tz timestamptz, flag boolean, label text, doc jsonb, ord int);
        insert into typed values
          (1, 7, 1234.5678, 3.14159265358979323846264338327950288, 1234567890123456789012345678.0123456789,
           0.1, '2024-02-29', '2024-02-29 13:45:56.123456', '2024-02-29 13:45:56.123456+02', true,
           E'tab\t "quoted" \\ ümlaut 🎉 <img src=x onerror=alert(1)>', '{"a": [1, 2, {"b": null}]}', 1),
          (9223372036854775807, -2147483648, -0.0001, -1e-20, -9999999999999999999999999999.9999999999,
           'NaN', '1970-01-01', '1970-01-01 00:00:00', '1969-12-31 23:59:59.999999+00', false, '', '[]', 2),
          (-9223372036854775808, 0, 0, 0, 0, '-Infinity', '0001-01-01', '9999-12-31 23:59:59.999999', '2000-01-01 00:00:00+00', null, null, 'null', 3),
          (null, null, null, null, null, null, null, null, null, null, null, null, 4);
        """;

    private const string TypedSql = "select id, small, amount, plain, wide, ratio, day, at, at_tz, flag, label, doc from typed order by ord";

    private BackendHost _host = null!;
    private Guid _typedQuery;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync();
        await _host.Warehouse.ExecuteAsync(TypedTable);
        _typedQuery = await _host.RunToReadyAsync(TypedSql);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private async Task<HttpResponseMessage> GetArrowAsync(Guid queryUuid, string accept = ArrowType)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{_host.QueryPath()}/{queryUuid}/results");
        request.Headers.Accept.ParseAdd(accept);
        return await _host.Client.SendAsync(request);
    }

    private static async Task<List<RecordBatch>> ReadBatchesAsync(HttpResponseMessage response)
    {
        using var reader = new ArrowStreamReader(await response.Content.ReadAsStreamAsync());
        var batches = new List<RecordBatch>();
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            batches.Add(batch);
        }

        return batches;
    }

    [Test]
    public async Task ArrowStream_HasTypedColumns()
    {
        using var response = await GetArrowAsync(_typedQuery);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(ArrowType));
        var batches = await ReadBatchesAsync(response);
        var schema = batches[0].Schema;

        Assert.That(schema.FieldsList.Select(f => f.DataType.TypeId), Is.EqualTo(new[]
        {
            ArrowTypeId.Int64, ArrowTypeId.Int64, ArrowTypeId.Decimal128, ArrowTypeId.String, ArrowTypeId.Decimal128,
            ArrowTypeId.Double, ArrowTypeId.Date32, ArrowTypeId.Timestamp, ArrowTypeId.Timestamp, ArrowTypeId.Boolean, ArrowTypeId.String, ArrowTypeId.String,
        }));
        Assert.That(((Decimal128Type)schema.GetFieldByName("amount").DataType) is { Precision: 12, Scale: 4 });
        Assert.That(((Decimal128Type)schema.GetFieldByName("wide").DataType) is { Precision: 38, Scale: 10 });
        Assert.That(((TimestampType)schema.GetFieldByName("at").DataType) is { Unit: TimeUnit.Microsecond, Timezone: null });
        Assert.That(((TimestampType)schema.GetFieldByName("at_tz").DataType) is { Unit: TimeUnit.Microsecond, Timezone: "UTC" });
        Assert.That(schema.GetFieldByName("amount").Metadata["lightdash.warehouse_type"], Is.EqualTo("numeric(12, 4)"));
        Assert.That(batches.Sum(b => b.Length), Is.EqualTo(4));
    }

    [Test]
    public async Task ArrowStream_KeepsEveryValueExactly()
    {
        using var response = await GetArrowAsync(_typedQuery);
        var batch = (await ReadBatchesAsync(response)).Single();
        var id = (Int64Array)batch.Column("id");
        var amount = (Decimal128Array)batch.Column("amount");
        var plain = (StringArray)batch.Column("plain");
        var wide = (Decimal128Array)batch.Column("wide");
        var ratio = (DoubleArray)batch.Column("ratio");
        var day = (Date32Array)batch.Column("day");
        var at = (TimestampArray)batch.Column("at");
        var atTz = (TimestampArray)batch.Column("at_tz");
        var flag = (BooleanArray)batch.Column("flag");
        var label = (StringArray)batch.Column("label");
        var doc = (StringArray)batch.Column("doc");

        Assert.That(new[] { id.GetValue(0), id.GetValue(1), id.GetValue(2), id.GetValue(3) }, Is.EqualTo(new long?[] { 1, long.MaxValue, long.MinValue, null }));
        Assert.That(amount.GetValue(0), Is.EqualTo(1234.5678m));
        Assert.That(amount.GetValue(1), Is.EqualTo(-0.0001m));
        Assert.That(plain.GetString(0), Is.EqualTo("3.14159265358979323846264338327950288"), "a numeric without precision is its exact text");
        Assert.That(wide.GetString(0), Is.EqualTo("1234567890123456789012345678.0123456789"));
        Assert.That(wide.GetString(1), Is.EqualTo("-9999999999999999999999999999.9999999999"));
        Assert.That(new[] { ratio.GetValue(0), ratio.GetValue(1), ratio.GetValue(2) }, Is.EqualTo(new double?[] { 0.1, double.NaN, double.NegativeInfinity }));
        Assert.That(new[] { day.GetDateOnly(0), day.GetDateOnly(1), day.GetDateOnly(2) }, Is.EqualTo(new DateOnly?[] { new(2024, 2, 29), new(1970, 1, 1), new(1, 1, 1) }));
        Assert.That(at.GetValue(0), Is.EqualTo(new DateTimeOffset(2024, 2, 29, 13, 45, 56, TimeSpan.Zero).AddTicks(1234560).ToUnixTimeMilliseconds() * 1000 + 456));
        Assert.That(at.GetValue(2), Is.EqualTo(253402300799999999L));
        Assert.That(atTz.GetTimestamp(0), Is.EqualTo(new DateTimeOffset(2024, 2, 29, 11, 45, 56, TimeSpan.Zero).AddTicks(1234560)), "an instant, in UTC");
        Assert.That(atTz.GetValue(1), Is.EqualTo(-1L), "one microsecond before the epoch");
        Assert.That(new[] { flag.GetValue(0), flag.GetValue(1), flag.GetValue(2) }, Is.EqualTo(new bool?[] { true, false, null }));
        Assert.That(label.GetString(0), Is.EqualTo("tab\t \"quoted\" \\ ümlaut 🎉 <img src=x onerror=alert(1)>"));
        Assert.That(label.GetString(1), Is.EqualTo(""));
        Assert.That(label.IsNull(2), Is.True);
        Assert.That(doc.GetString(0), Is.EqualTo("{\"a\": [1, 2, {\"b\": null}]}"));
        Assert.That(doc.GetString(1), Is.EqualTo("[]"));
        Assert.That(Enumerable.Range(0, batch.ColumnCount).All(c => batch.Column(c).IsNull(3)), Is.True, "the row of nulls");
    }

    [Test]
    public async Task ArrowStream_OfALargeResult_ComesInBoundedBatches()
    {
        var large = await _host.RunToReadyAsync("select g as id, repeat('x', g % 50) as pad from generate_series(1, 150000) g order by g");

        using var response = await GetArrowAsync(large);
        var batches = await ReadBatchesAsync(response);
        long sum = 0;
        foreach (var batch in batches)
        {
            var ids = (Int64Array)batch.Column("id");
            for (var i = 0; i < batch.Length; i++)
            {
                sum += ids.GetValue(i)!.Value;
            }
        }

        Assert.That(batches, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(batches.Max(b => b.Length), Is.LessThanOrEqualTo(65536));
        Assert.That(batches.Sum(b => b.Length), Is.EqualTo(150000));
        Assert.That(sum, Is.EqualTo(150000L * 150001 / 2), "every row once, in order of the batches");
        Assert.That(((Int64Array)batches[0].Column("id")).GetValue(0), Is.EqualTo(1));
    }

    [Test]
    public async Task ArrowStream_ReadByTheApacheArrowNpmPackage_EqualsTheJsonLines()
    {
        using var response = await GetArrowAsync(_typedQuery);
        var file = Path.Combine(Path.GetTempPath(), $"lightdash-arrow-{Guid.NewGuid():N}.arrow");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
        var lines = await _host.Client.GetStringAsync($"{_host.QueryPath()}/{_typedQuery}/results");
        try
        {
            var output = await RunNodeAsync(Path.Combine(ChildProcess.RepositoryRoot(), "tests", "Backend.Tests", "scripts", "read-arrow.mjs"), file);
            var arrowRows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var jsonRows = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var header = JsonDocument.Parse(arrowRows[0]).RootElement;

            Assert.That(header.GetProperty("schema").EnumerateArray().Select(f => f.GetProperty("type").GetString()), Is.EqualTo(new[]
            {
                "Int64", "Int64", "Decimal[12e+4]", "Utf8", "Decimal[38e+10]", "Float64", "Date32<DAY>", "Timestamp<MICROSECOND>", "Timestamp<MICROSECOND, UTC>", "Bool", "Utf8", "Utf8",
            }));
            Assert.That(arrowRows, Has.Length.EqualTo(jsonRows.Length + 1));
            for (var row = 0; row < jsonRows.Length; row++)
            {
                var fromArrow = JsonDocument.Parse(arrowRows[row + 1]).RootElement;
                var fromJson = JsonDocument.Parse(jsonRows[row]).RootElement;
                foreach (var column in fromJson.EnumerateObject())
                {
                    Assert.That(fromArrow.GetProperty(column.Name).GetString(), Is.EqualTo(ExpectedText(column.Name, column.Value)), $"row {row + 1}, {column.Name}");
                }
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>What the npm reader prints for a value of the JSON lines.</summary>
    private static string? ExpectedText(string column, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        _ when column is "at" or "at_tz" => Microseconds(value.GetString()!),
        _ when column == "amount" => decimal.Parse(value.GetRawText(), System.Globalization.CultureInfo.InvariantCulture).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
        _ when column == "wide" => value.GetRawText() == "0" ? "0.0000000000" : value.GetRawText(),
        _ when column == "ratio" && value.ValueKind == JsonValueKind.Number => value.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    private static string Microseconds(string timestamp)
    {
        var at = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        return ((at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> RunNodeAsync(string script, string argument)
    {
        var start = new ProcessStartInfo("node") { ArgumentList = { script, argument }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.That(node.ExitCode, Is.Zero, await error);
        return await output;
    }

    [Test]
    public async Task StatementPartition_AsArrow_HoldsThatPartitionsTypedRows()
    {
        using var submit = new HttpRequestMessage(HttpMethod.Post, "/api/v2/statements")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { statement = "select g as id, (g * 0.5)::numeric(10,1) as half from generate_series(1, 25000) g order by g" }),
        };
        submit.Headers.Add("X-Lightdash-Project", _host.ProjectUuid.ToString());
        using var submitted = await _host.Client.SendAsync(submit);
        var answer = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement;
        Assert.That(submitted.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        var handle = answer.GetProperty("statementHandle").GetGuid();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v2/statements/{handle}?partition=1");
        request.Headers.Accept.ParseAdd(ArrowType);
        using var response = await _host.Client.SendAsync(request);
        var batches = await ReadBatchesAsync(response);
        var ids = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((Int64Array)b.Column("id")).GetValue(i)!.Value)).ToList();
        var halves = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((Decimal128Array)b.Column("half")).GetValue(i)!.Value)).ToList();

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(ArrowType));
        Assert.That(response.Headers.GetValues("Link").Single(), Does.Contain("partition=2>; rel=\"next\""));
        Assert.That(ids, Is.EqualTo(Enumerable.Range(10001, 10000).Select(i => (long)i)), "partition 1 is rows 10,001 to 20,000");
        Assert.That(halves[0], Is.EqualTo(5000.5m));
    }

    [Test]
    public async Task Accept_ChoosesTheFormat_AndANotReadyQueryIsAnErrorEnvelope()
    {
        using var plain = await _host.Client.GetAsync($"{_host.QueryPath()}/{_typedQuery}/results");
        using var both = await GetArrowAsync(_typedQuery, "application/x-ndjson;q=0.5, application/vnd.apache.arrow.stream");
        using var preferLines = await GetArrowAsync(_typedQuery, "application/x-ndjson, application/vnd.apache.arrow.stream;q=0.2");
        var running = await _host.SubmitAsync("select pg_sleep(5) as slept");
        using var notReady = await GetArrowAsync(running);

        Assert.That(plain.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
        Assert.That(both.Content.Headers.ContentType?.MediaType, Is.EqualTo(ArrowType));
        Assert.That(preferLines.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
        Assert.That(notReady.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(notReady.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        await _host.Client.PostAsync($"{_host.QueryPath()}/{running}/cancel", null);
    }
}
