using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3.Model;
using DuckDB.NET.Data;
using Lightdash.Net.Backend.Deliveries;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// schedule-download: export jobs in every format, each file read back with a reader of its own
/// (DuckDB for CSV and Parquet, MiniExcel for XLSX), truncation reported, cancel, ownership, deletion
/// with the query and on expiry, and the synchronous download pointing to the job for large results.
/// </summary>
[Category(TestCategories.Integration)]
public partial class ExportJobTests
{
    private const string TypedSql = "select * from typed order by id";
    private BackendHost _host = null!;
    private Guid _typed;
    private string _folder = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await BackendHost.StartAsync(new Dictionary<string, string?>
        {
            ["Exports:SyncDownloadMaxRows"] = "10",
            ["QueryExecution:HeartbeatInterval"] = "00:00:00.200",
            ["QueryExecution:ReaperCron"] = "0 0 1 1 *",
        });
        await _host.Warehouse.ExecuteAsync("""
            create table typed (id int4, big int8, price numeric(12,4), ratio float8, day date, at timestamp, at_tz timestamptz, done boolean, label text, doc jsonb);
            insert into typed values
              (1, 9007199254740993, 10.5000, 0.25, '2024-01-05', '2024-01-05 09:15:00.123456', '2024-01-05 09:15:00+02', true, 'O''Brien, "Bob"', '{"a": [1, 2]}'),
              (2, -1, 0.0001, -1e10, '1999-12-31', '1999-12-31 23:59:59', '1999-12-31 23:59:59+00', false, e'two\nlines\r\nhere', '[]'),
              (3, null, null, null, null, null, null, null, null, null),
              (4, 0, -12345678.9999, 1.5, '2000-02-29', '2000-02-29 00:00:00', '2000-02-29 12:00:00+05:30', true, 'ünïcødé ✓ 日本', 'null');
            """);
        _typed = await _host.RunToReadyAsync(TypedSql);
        _folder = Directory.CreateTempSubdirectory("lightdash-exports-").FullName;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _host.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> ScheduleAsync(Guid queryUuid, object body, HttpClient? client = null) =>
        BackendHost.SendAsync(client ?? _host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{queryUuid}/schedule-download", body);

    private Task<(HttpStatusCode Status, JsonElement Body)> StatusAsync(Guid jobId, HttpClient? client = null) =>
        BackendHost.SendAsync(client ?? _host.Client, HttpMethod.Get, $"/api/v1/schedulers/job/{jobId}/status");

    private async Task<JsonElement> ExportAsync(Guid queryUuid, object body)
    {
        var (status, scheduled) = await ScheduleAsync(queryUuid, body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), scheduled.ToString());
        return await WaitForJobAsync(scheduled.GetProperty("results").GetProperty("jobId").GetGuid());
    }

    private async Task<JsonElement> WaitForJobAsync(Guid jobId, string expected = "completed")
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            var (_, body) = await StatusAsync(jobId);
            var job = body.GetProperty("results");
            if (job.GetProperty("status").GetString() is "completed" or "error" or "cancelled")
            {
                Assert.That(job.GetProperty("status").GetString(), Is.EqualTo(expected), job.ToString());
                return job;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Export {jobId} did not finish");
    }

    private async Task<string> DownloadAsync(JsonElement job, string extension)
    {
        using var browser = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip });
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.{extension}");
        await File.WriteAllBytesAsync(path, await browser.GetByteArrayAsync(job.GetProperty("fileUrl").GetString()));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(job.GetProperty("byteSize").GetInt64()));
        return path;
    }

    private static List<object?[]> DuckDbRows(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string DuckDbTypes(string source)
    {
        var rows = DuckDbRows($"select string_agg(column_type, ',' order by rowid) from (select *, row_number() over () as rowid from (describe select * from {source}))");
        return (string)rows[0][0]!;
    }

    [Test]
    public async Task Csv_ReadBackByDuckDb_HasEveryValue()
    {
        var job = await ExportAsync(_typed, new { type = "csv", attachmentDownloadName = "typed rows" });

        Assert.That(job.GetProperty("rowCount").GetInt64(), Is.EqualTo(4));
        Assert.That(job.GetProperty("truncated").GetBoolean(), Is.False);
        Assert.That(job.GetProperty("fileName").GetString(), Is.EqualTo("typed rows.csv"));
        var path = await DownloadAsync(job, "csv");
        var rows = DuckDbRows($"select id, big, price::varchar, ratio, day::varchar, label, doc from read_csv('{path}', header = true, all_varchar = false, quote = '\"', escape = '\"') order by id");
        Assert.That(rows.Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)), Is.EqualTo(new[] { 1L, 2L, 3L, 4L }));
        Assert.That(rows[0][1], Is.EqualTo(9007199254740993L));
        Assert.That(rows[0][2], Is.EqualTo("10.5000").Or.EqualTo("10.5"));
        Assert.That(rows[0][5], Is.EqualTo("O'Brien, \"Bob\""));
        Assert.That(rows[1][5], Is.EqualTo("two\nlines\r\nhere"));
        Assert.That(rows[3][5], Is.EqualTo("ünïcødé ✓ 日本"));
        Assert.That(rows[2].Skip(1), Is.All.Null, "NULL is an empty field");
        Assert.That(rows[0][6], Is.EqualTo("{\"a\": [1, 2]}"));
        var header = (await File.ReadAllLinesAsync(path))[0];
        Assert.That(header, Is.EqualTo("id,big,price,ratio,day,at,at_tz,done,label,doc"));
    }

    [Test]
    public async Task Csv_Formatted_ShowsValuesAsTheAppDoes()
    {
        var job = await ExportAsync(_typed, new { type = "csv", onlyRaw = false });
        var path = await DownloadAsync(job, "csv");

        var lines = await File.ReadAllTextAsync(path);
        Assert.That(lines, Does.Contain("O'Brien, \"\"Bob\"\""));
        Assert.That(lines.Split("\r\n")[1], Does.StartWith("1,9007199254740993,10.5000,0.25,2024-01-05,"));
    }

    [Test]
    public async Task Parquet_ReadBackByDuckDb_HasTypedColumnsAndExactValues()
    {
        var job = await ExportAsync(_typed, new { type = "parquet" });
        var path = await DownloadAsync(job, "parquet");

        Assert.That(DuckDbTypes($"read_parquet('{path}')"), Is.EqualTo("BIGINT,BIGINT,DECIMAL(12,4),DOUBLE,DATE,TIMESTAMP,TIMESTAMP WITH TIME ZONE,BOOLEAN,VARCHAR,VARCHAR"));
        var rows = DuckDbRows($"select id, big, price::varchar, ratio, day::varchar, \"at\"::varchar, (at_tz at time zone 'UTC')::varchar, done, label from read_parquet('{path}') order by id");
        Assert.That(rows[0], Is.EqualTo(new object?[] { 1L, 9007199254740993L, "10.5000", 0.25d, "2024-01-05", "2024-01-05 09:15:00.123456", "2024-01-05 07:15:00", true, "O'Brien, \"Bob\"" }));
        Assert.That(rows[3][2], Is.EqualTo("-12345678.9999"));
        Assert.That(rows[3][6], Is.EqualTo("2000-02-29 06:30:00"));
        Assert.That(rows[2].Skip(1), Is.All.Null);
    }

    [Test]
    public async Task Parquet_OfManyRowGroups_KeepsEveryRowInOrder()
    {
        // 130,000 rows: three row groups, each encoded while the next is parsed.
        var many = await _host.RunToReadyAsync("select g as n, (g * 0.5)::numeric(12,1) as half, 'label ' || g as label from generate_series(1, 130000) g order by g");
        var path = await DownloadAsync(await ExportAsync(many, new { type = "parquet" }), "parquet");
        var totals = DuckDbRows($"select count(*), sum(n)::varchar, sum(half)::varchar, count(distinct label) from read_parquet('{path}')")[0];
        var groups = DuckDbRows($"select count(distinct row_group_id) from parquet_metadata('{path}')")[0][0];
        var outOfOrder = DuckDbRows($"select count(*) from (select n, row_number() over () as position from read_parquet('{path}')) where n <> position")[0][0];
        // Text values of a row group share blocks that the next row group reuses: each label is still its own row's.
        var wrongLabels = DuckDbRows($"select count(*) from read_parquet('{path}') where label <> 'label ' || n")[0][0];

        Assert.That(totals, Is.EqualTo(new object?[] { 130000L, "8450065000", "4225032500.0", 130000L }));
        Assert.That((groups, outOfOrder), Is.EqualTo((3L, 0L)), "three row groups; rows in the file's order are the result's order");
        Assert.That(wrongLabels, Is.EqualTo(0L));
    }

    [Test]
    public async Task Jsonl_IsTheStoredRowsAsLines()
    {
        var job = await ExportAsync(_typed, new { type = "jsonl" });
        var path = await DownloadAsync(job, "jsonl");

        var lines = await File.ReadAllLinesAsync(path);
        Assert.That(lines, Has.Length.EqualTo(4));
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.That(first.GetProperty("big").GetRawText(), Is.EqualTo("9007199254740993"));
        Assert.That(first.GetProperty("label").GetString(), Is.EqualTo("O'Brien, \"Bob\""));
    }

    [Test]
    public async Task Limit_CutsTheFile_AndSaysSo()
    {
        var job = await ExportAsync(_typed, new { type = "parquet", limit = 2 });

        Assert.That(job.GetProperty("truncated").GetBoolean(), Is.True);
        Assert.That(job.GetProperty("truncatedAt").GetInt64(), Is.EqualTo(2));
        Assert.That(job.GetProperty("rowCount").GetInt64(), Is.EqualTo(2));
        var path = await DownloadAsync(job, "parquet");
        Assert.That(DuckDbRows($"select count(*) from read_parquet('{path}')")[0][0], Is.EqualTo(2L));
    }

    [TestCase(null, 40_500L)]
    [TestCase(33_001L, 33_001L)]
    [TestCase(16_000L, 16_000L)]
    public async Task Csv_OfManyBlocks_KeepsEveryRowInOrder(long? limit, long expected)
    {
        // 41 stored blocks of 1,000 rows: several chunks decoded in parallel, cut at and between block edges.
        var many = await _host.RunToReadyAsync("select g as n, 'row, \"' || g || '\"' as label from generate_series(1, 40500) g order by g");

        var job = await ExportAsync(many, limit is null ? new { type = "csv" } : new { type = "csv", limit });

        Assert.That(job.GetProperty("rowCount").GetInt64(), Is.EqualTo(expected));
        Assert.That(job.GetProperty("truncated").GetBoolean(), Is.EqualTo(limit is not null));
        var path = await DownloadAsync(job, "csv");
        var rows = DuckDbRows($"select count(*), min(n), max(n), sum(n)::bigint, count(distinct n), max(label) filter (where n = 2) from read_csv('{path}', header = true)");
        Assert.That(rows[0][0], Is.EqualTo(expected));
        Assert.That((rows[0][1], rows[0][2]), Is.EqualTo((1L, expected)));
        Assert.That(rows[0][3], Is.EqualTo(expected * (expected + 1) / 2), "every row once");
        Assert.That(rows[0][5], Is.EqualTo("row, \"2\""));
        var lines = await File.ReadAllLinesAsync(path);
        Assert.That(lines[1..].Select(l => long.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)), Is.Ordered, "rows keep their order");
    }

    [Test]
    public async Task Cancel_StopsTheJob_AndAFinishedOneIsAConflict()
    {
        var big = await _host.RunToReadyAsync("select g as n, md5(g::text) as h from generate_series(1, 600000) g");
        var (_, scheduled) = await ScheduleAsync(big, new { type = "xlsx" });
        var jobId = scheduled.GetProperty("results").GetProperty("jobId").GetGuid();

        var (status, cancelled) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/schedulers/job/{jobId}/cancel");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), cancelled.ToString());
        Assert.That(cancelled.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("cancelled"));
        // The export's Hangfire job has ended (its worker saw the cancel, or never started): nothing more can change.
        await Eventually.UntilAsync(
            async () => await _host.Metadata.ScalarAsync<long>(
                $"select count(*) from hangfire.job where arguments::text like '%{jobId}%' and statename not in ('Enqueued', 'Processing', 'Scheduled', 'Awaiting')") > 0,
            TimeSpan.FromSeconds(30),
            "the export's job ending");
        var (_, after) = await StatusAsync(jobId);
        Assert.That(after.GetProperty("results").GetProperty("status").GetString(), Is.EqualTo("cancelled"));
        Assert.That(after.GetProperty("results").TryGetProperty("fileUrl", out _), Is.False);
        var objects = await _host.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = TestServers.S3Bucket, Prefix = $"{_host.Prefix}exports/" });
        Assert.That((objects.S3Objects ?? []).Select(o => o.Key), Has.None.Contains(jobId.ToString("N")), "no file was left");
        Assert.That((await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"/api/v1/schedulers/job/{jobId}/cancel")).Status, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Jobs_BelongToTheirCreator()
    {
        var job = await ExportAsync(_typed, new { type = "csv" });
        var other = await _host.CreateMemberClientAsync($"dev-{Guid.NewGuid():N}@example.com", "developer");
        var jobId = job.GetProperty("jobId").GetGuid();

        Assert.That((await StatusAsync(jobId, other)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await BackendHost.SendAsync(other, HttpMethod.Post, $"/api/v1/schedulers/job/{jobId}/cancel")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await ScheduleAsync(_typed, new { type = "csv" }, other)).Status, Is.EqualTo(HttpStatusCode.NotFound), "another user's query");
    }

    [Test]
    public async Task AMemberRemovedFromTheProject_NoLongerGetsTheirExportsLinks()
    {
        var member = await _host.CreateMemberClientAsync($"leaver-{Guid.NewGuid():N}@example.com", "developer");
        var memberUuid = (await member.GetFromJsonAsync<JsonElement>("/api/v1/user")).GetProperty("results").GetProperty("userUuid").GetGuid();
        var (_, submitted) = await BackendHost.SendAsync(member, HttpMethod.Post, $"{_host.QueryPath()}/sql", new { sql = "select 1 as leaver_export", waitMs = 30_000 });
        var queryUuid = submitted.GetProperty("results").GetProperty("queryUuid").GetGuid();
        var (scheduled, body) = await ScheduleAsync(queryUuid, new { type = "csv" }, member);
        Assert.That(scheduled, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var jobId = body.GetProperty("results").GetProperty("jobId").GetGuid();
        await Eventually.UntilAsync(
            async () => (await StatusAsync(jobId, member)).Body.GetProperty("results").GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(60), "the export");

        var (removed, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, $"/api/v1/projects/{_host.ProjectUuid}/access/{memberUuid}");
        var (status, answer) = await StatusAsync(jobId, member);

        Assert.That(removed, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), answer.ToString());
        Assert.That(answer.ToString(), Does.Not.Contain("fileUrl"));
    }

    [Test]
    public async Task DeletingTheQuery_DeletesItsExports()
    {
        var queryUuid = await _host.RunToReadyAsync("select 1 as doomed_export");
        var job = await ExportAsync(queryUuid, new { type = "csv" });
        var key = await _host.Metadata.ScalarAsync<string>("select file_key from export_jobs where job_id = @j", ("j", job.GetProperty("jobId").GetGuid()));

        await BackendHost.SendAsync(_host.Client, HttpMethod.Delete, $"{_host.QueryPath()}/{queryUuid}");

        Assert.That((await StatusAsync(job.GetProperty("jobId").GetGuid())).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await ObjectExistsAsync(key), Is.False);
    }

    [Test]
    public async Task ExpiredJobs_AreDeletedWithTheirFiles()
    {
        var job = await ExportAsync(_typed, new { type = "jsonl" });
        var jobId = job.GetProperty("jobId").GetGuid();
        var key = await _host.Metadata.ScalarAsync<string>("select file_key from export_jobs where job_id = @j", ("j", jobId));
        await _host.Metadata.ExecuteAsync($"update export_jobs set expires_at = now() - interval '1 second' where job_id = '{jobId}'");

        await _host.Services.GetRequiredService<ExportRunner>().MaintainAsync(CancellationToken.None);

        Assert.That((await StatusAsync(jobId)).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await ObjectExistsAsync(key), Is.False);
    }

    [TestCase("""{"type": "pdf"}""", "type must be one of")]
    [TestCase("""{"type": "csv", "limit": 0}""", "limit")]
    [TestCase("""{"type": "csv", "attachmentDownloadName": "../../etc/passwd"}""", "attachmentDownloadName")]
    [TestCase("""{"type": "parquet", "onlyRaw": false}""", "onlyRaw")]
    public async Task BadInput_Answers400(string json, string expected)
    {
        var (status, body) = await ScheduleAsync(_typed, JsonDocument.Parse(json).RootElement);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task NotReadyQuery_IsAConflict_AndUnknownJobsAreNotFound()
    {
        var running = await _host.SubmitAsync("select pg_sleep(5) as slow");

        Assert.That((await ScheduleAsync(running, new { type = "csv" })).Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await StatusAsync(Guid.NewGuid())).Status, Is.EqualTo(HttpStatusCode.NotFound));
        await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{running}/cancel");
    }

    [Test]
    public async Task SynchronousDownload_OfALargeResult_PointsToTheJob()
    {
        var many = await _host.RunToReadyAsync("select g from generate_series(1, 50) g");

        var (status, body) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{many}/download", new { type = "csv" });
        var (small, _) = await BackendHost.SendAsync(_host.Client, HttpMethod.Post, $"{_host.QueryPath()}/{_typed}/download", new { type = "csv" });

        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), body.ToString());
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("schedule-download"));
        Assert.That(small, Is.EqualTo(HttpStatusCode.OK), "small results still download at once");
    }

    private async Task<bool> ObjectExistsAsync(string key)
    {
        try
        {
            await _host.S3.GetObjectMetadataAsync(TestServers.S3Bucket, key);
            return true;
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
