using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Lightdash.Net.Bench;
using Npgsql;

// Measures the backend against baselines taken in the same run on the same data; prints one line
// per figure: name, measured value, baseline, ratio and the target the ratio is held to.
var options = BenchOptions.Parse(args);
using var client = new BackendClient(options);
client.Authenticate();
var report = new Report();
var fullScan = $"select * from {options.Table}";

bool Wanted(string figure) => options.Only == "all" || options.Only.Split(',').Contains(figure);

// Warm-up: JIT, connection pools, S3 client.
for (var i = 0; i < 5; i++)
{
    await client.RunAsync($"select * from {options.Table} limit 1000");
}

// Idle memory at start (after the warm-up): the run ends by comparing the settled idle memory with it.
var idleAtStart = await IdleMemory.SettledAsync(options.BackendPid);
Console.WriteLine($"  info: idle at start {idleAtStart / 1048576.0:N0} MB ({ProcessMemory.Breakdown(options.BackendPid)}); {await IdleMemory.RuntimeFiguresAsync(client)}");

Guid? bigResult = null;
if (Wanted("throughput") || Wanted("memory") || Wanted("pages"))
{
    // 1 and 2: throughput through the whole service, and the backend's memory while it streams.
    // The first full run after start-up pays for JIT compilation of the row loop: it is reported,
    // and the figure is the next run (a server's steady state). Each run is a fresh execution.
    var idleBytes = ProcessMemory.ResidentBytes(options.BackendPid);
    var cold = await client.RunAsync(fullScan + " -- cold");
    Console.WriteLine($"  info: first full run after start-up (JIT warming): {cold.Rows / cold.Elapsed.TotalSeconds:N0} rows/s");
    var cpuBeforePsql = ProcessCpu.Snapshot(options.BackendPid);
    var psql = await Baselines.PsqlCopyAsync(options);
    var cpuBeforeRun = ProcessCpu.Snapshot(options.BackendPid);
    var run = client.RunAsync(fullScan);
    var peakBytes = await ProcessMemory.PeakWhileAsync(options.BackendPid, run);
    var cpuAfterRun = ProcessCpu.Snapshot(options.BackendPid);
    Console.WriteLine($"  info: CPU time of the psql export: {ProcessCpu.Describe(cpuBeforePsql, cpuBeforeRun)} (plus psql itself)");
    Console.WriteLine($"  info: CPU time of the service's run: {ProcessCpu.Describe(cpuBeforeRun, cpuAfterRun)}");
    var (queryUuid, elapsed, rows) = await run;
    bigResult = queryUuid;
    var serviceRate = rows / elapsed.TotalSeconds;
    var psqlRate = options.Rows / psql.TotalSeconds;
    report.Add($"throughput ({rows:N0} rows)", $"{serviceRate:N0} rows/s", $"psql COPY row_to_json {psqlRate:N0} rows/s", serviceRate / psqlRate, ">= 1.0x", serviceRate / psqlRate >= 1.0);
    var growthMb = (peakBytes - idleBytes) / 1024.0 / 1024.0;
    report.Add($"memory ({rows:N0} rows)", $"peak {peakBytes / 1024.0 / 1024.0:N0} MB (+{growthMb:N0} MB)", $"idle {idleBytes / 1024.0 / 1024.0:N0} MB", (double)peakBytes / idleBytes, "peak < idle + 150 MB", growthMb < 150);
}

if (Wanted("pages") && bigResult is { } ready)
{
    // 3: the last page of the large result against page 1.
    const int pageSize = 500;
    var lastPage = (int)((options.Rows + pageSize - 1) / pageSize);
    var first = new List<double>();
    var last = new List<double>();
    for (var i = 0; i < 40; i++)
    {
        first.Add(await Baselines.TimeGetAsync(client, client.PagePath(ready, 1, pageSize)));
        last.Add(await Baselines.TimeGetAsync(client, client.PagePath(ready, lastPage, pageSize)));
    }

    var ratio = Stats.Median(last) / Stats.Median(first);
    report.Add($"page access (page {lastPage:N0} vs 1, {pageSize} rows)", $"{Stats.Median(last):N1} ms median", $"page 1 {Stats.Median(first):N1} ms", ratio, "<= 1.5x", ratio <= 1.5);
}

if (Wanted("sdk"))
{
    // The SDK reading a whole result as typed records, against psql printing it as JSON rows.
    var result = bigResult ?? (await client.RunAsync(fullScan + " -- sdk")).QueryUuid;
    var psql = await Baselines.PsqlCopyAsync(options);
    // The first read in this process pays for JIT and the heap's first growth: reported, and the figure is the next read.
    var (coldElapsed, coldRows, coldGrowth) = await SdkReadBench.ReadAllAsync(options, result);
    Console.WriteLine($"  info: first sdk read in this process: {coldRows / coldElapsed.TotalSeconds:N0} rows/s, +{coldGrowth / 1048576.0:N0} MB");
    var (elapsed, rows, growth) = await SdkReadBench.ReadAllAsync(options, result);
    var sdkRate = rows / elapsed.TotalSeconds;
    var psqlRate = options.Rows / psql.TotalSeconds;
    report.Add($"sdk ReadRowsAsync ({rows:N0} typed rows)", $"{sdkRate:N0} rows/s", $"psql COPY row_to_json {psqlRate:N0} rows/s", sdkRate / psqlRate, ">= 0.5x", sdkRate / psqlRate >= 0.5);
    var growthMb = growth / 1024.0 / 1024.0;
    report.Add("sdk client memory while reading", $"+{growthMb:N0} MB", "4 chunks in flight", growthMb / 64, "growth < 64 MB", growthMb < 64);
}

if (Wanted("chunks"))
{
    // 13: whole results for programs: the chunk manifest and the Arrow stream.
    var result = bigResult ?? (await client.RunAsync(fullScan + " -- chunks")).QueryUuid;
    await ChunkBench.RunAsync(options, report, result);
}

if (Wanted("isolation"))
{
    // 4: page latency while 4 large queries stream, against the same with nothing running.
    var (small, _, _) = await client.RunAsync($"select * from {options.Table} limit 5000");
    var path = client.PagePath(small, 1, 500);
    // The page path is compiled and tiered up first, so that both figures are steady-state.
    for (var i = 0; i < 200; i++)
    {
        await Baselines.TimeGetAsync(client, path);
    }

    // Each page read is followed by a read of /health/live: the floor any request meets on this machine.
    var idle = new List<double>();
    var idleFloor = new List<double>();
    for (var i = 0; i < 1000; i++)
    {
        idle.Add(await Baselines.TimeGetAsync(client, path));
        idleFloor.Add(await Baselines.TimeGetAsync(client, "/health/live"));
    }

    var streams = Enumerable.Range(0, 4).Select(i => client.RunAsync($"{fullScan} -- stream {i}")).ToArray();
    var loaded = new List<double>();
    var serverSide = new List<double>();
    var loadedFloor = new List<double>();
    await Task.Delay(300);
    while (!streams.All(s => s.IsCompleted) && loaded.Count < 2000)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.Http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        loaded.Add(clock.Elapsed.TotalMilliseconds);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        serverSide.Add(body.GetProperty("results").GetProperty("metadata").GetProperty("performance").GetProperty("resultsPageExecutionMs").GetDouble());
        loadedFloor.Add(await Baselines.TimeGetAsync(client, "/health/live"));
    }

    if (Environment.GetEnvironmentVariable("BENCH_TRACE") == "1")
    {
        Console.WriteLine("  trace: " + string.Join(" ", loaded.Select((ms, i) => $"{ms:N0}/{serverSide[i]:N0}")));
    }

    Console.WriteLine($"  info: under load, reading the page from storage took p50 {Stats.Median(serverSide):N1} ms, p99 {Stats.Percentile(serverSide, 99):N1} ms of the request");
    Console.WriteLine($"  info: the floor, /health/live (no database, no S3): p99 idle {Stats.Percentile(idleFloor, 99):N1} ms, under load {Stats.Percentile(loadedFloor, 99):N1} ms");

    await Task.WhenAll(streams);
    var ratio = Stats.Percentile(loaded, 99) / Stats.Percentile(idle, 99);
    report.Add($"isolation (p99 page GET, {loaded.Count} samples under 4 streams)", $"{Stats.Percentile(loaded, 99):N1} ms", $"idle p99 {Stats.Percentile(idle, 99):N1} ms", ratio, "<= 3x", ratio <= 3);

    // The same without the block cache's help: every sample reads blocks no request read before
    // (pages 1, 3, 5... of a fresh 500,000-row result; a page is half a block of 1,000 rows).
    const int coldSamples = 500;
    var (coldIdleResult, _, _) = await client.RunAsync($"select * from {options.Table} limit {coldSamples * 1000} -- cold idle");
    var (coldLoadedResult, _, _) = await client.RunAsync($"select * from {options.Table} limit {coldSamples * 1000} -- cold loaded");
    var coldIdle = new List<double>();
    for (var i = 0; i < coldSamples; i++)
    {
        coldIdle.Add(await Baselines.TimeGetAsync(client, client.PagePath(coldIdleResult, (2 * i) + 1, 500)));
    }

    var coldStreams = Enumerable.Range(0, 4).Select(i => client.RunAsync($"{fullScan} -- cold stream {i}")).ToArray();
    var coldLoaded = new List<double>();
    await Task.Delay(300);
    while (!coldStreams.All(t => t.IsCompleted) && coldLoaded.Count < coldSamples)
    {
        coldLoaded.Add(await Baselines.TimeGetAsync(client, client.PagePath(coldLoadedResult, (2 * coldLoaded.Count) + 1, 500)));
    }

    await Task.WhenAll(coldStreams);
    Console.WriteLine(
        $"  info: isolation with every page read from S3 (blocks not read before): p99 {Stats.Percentile(coldLoaded, 99):N1} ms over {coldLoaded.Count} samples under 4 streams"
        + $" vs idle p99 {Stats.Percentile(coldIdle, 99):N1} ms = {Stats.Percentile(coldLoaded, 99) / Stats.Percentile(coldIdle, 99):N2}x");
}

if (Wanted("compose"))
{
    // 7: SQL composed over the stored 1M-row result, against DuckDB over a local file.
    var source = bigResult ?? (await client.RunAsync(fullScan + " -- compose source")).QueryUuid;
    await ComposeBench.RunAsync(options, client, report, source);
}

if (Wanted("fieldvalues"))
{
    // 8: filter autocomplete on the bench table (distinct labels containing a text), against the same
    // SELECT DISTINCT ... LIMIT sent to PostgreSQL directly.
    var model = $"models:\n  - name: bench\n    meta: {{sql_from: {options.Table}}}\n    columns:\n      - name: label\n      - name: id\n        meta: {{dimension: {{type: number}}}}\n";
    await client.PutAsync($"/api/v1/projects/{options.ProjectUuid}/models", new { files = new[] { new { path = "bench.yml", content = model } } });
    var search = new List<double>();
    var direct = new List<double>();
    for (var i = 0; i < 20; i++)
    {
        var text = $"item {100 + i}";
        var (_, elapsed) = await client.PostAsync($"/api/v2/projects/{options.ProjectUuid}/query/field-values", new { table = "bench", fieldId = "bench_label", search = text, limit = 100, forceRefresh = true });
        search.Add(elapsed.TotalMilliseconds);
        direct.Add((await Baselines.DistinctDirectAsync(options, text)).TotalMilliseconds);
    }

    var ratio = Stats.Median(search) / Stats.Median(direct);
    report.Add($"field values ({options.Rows:N0} rows, search, limit 100)", $"{Stats.Median(search):N0} ms median", $"SELECT DISTINCT on PostgreSQL {Stats.Median(direct):N0} ms", ratio, "<= 1.5x", ratio <= 1.5);
}

if (Wanted("livepage"))
{
    // 9: page 1 of a large query read while it still executes, against the time it takes to be ready.
    // Measured warm: a first run, read the same way, pays for compiling the streaming path and the live page
    // path (no earlier figure reads a page while its query executes).
    var (warmFirstPage, warmReady) = await LivePageAsync(fullScan + " -- live page warm-up", trace: false);
    Console.WriteLine($"  info: warm-up run (JIT): page 1 after {warmFirstPage.TotalMilliseconds:N0} ms, ready after {warmReady.TotalMilliseconds:N0} ms");
    var (firstPage, readyAfter) = await LivePageAsync(fullScan + " -- live page", Environment.GetEnvironmentVariable("BENCH_TRACE_LIVE") == "1");
    var ratio = firstPage / readyAfter;
    report.Add($"page 1 before the end ({options.Rows:N0} rows)", $"{firstPage.TotalMilliseconds:N0} ms", $"ready after {readyAfter.TotalMilliseconds:N0} ms", ratio, "< 0.1x", ratio < 0.1);
}

if (Wanted("statements"))
{
    // 10: the statements API (Snowflake's SQL API shape) over a large result: fetching its last partition
    // against its first (partition 0 is the answer with the metadata; later ones are read by range).
    var submit = new HttpRequestMessage(HttpMethod.Post, "/api/v2/statements?async=true")
    {
        Content = System.Net.Http.Json.JsonContent.Create(new { statement = fullScan + $" -- statements {Guid.NewGuid():N}" }),
    };
    submit.Headers.Add("X-Lightdash-Project", options.ProjectUuid.ToString());
    using var submitted = await client.Http.SendAsync(submit);
    submitted.EnsureSuccessStatusCode();
    var handle = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(submitted.Content)).GetProperty("statementHandle").GetGuid();
    System.Text.Json.JsonElement metadata;
    while (true)
    {
        using var poll = await client.Http.GetAsync($"/api/v2/statements/{handle}");
        if (poll.StatusCode == System.Net.HttpStatusCode.OK)
        {
            metadata = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(poll.Content)).GetProperty("resultSetMetaData").Clone();
            break;
        }

        if (poll.StatusCode != System.Net.HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Statement {handle} answered {(int)poll.StatusCode}");
        }

        await Task.Delay(50);
    }

    var lastPartition = metadata.GetProperty("partitionInfo").GetArrayLength() - 1;
    var first = new List<double>();
    var last = new List<double>();
    for (var i = 0; i < 15; i++)
    {
        foreach (var (partition, times) in new[] { (0, first), (lastPartition, last) })
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.Http.GetAsync($"/api/v2/statements/{handle}?partition={partition}");
            response.EnsureSuccessStatusCode();
            await response.Content.CopyToAsync(Stream.Null);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
    }

    var ratio = Stats.Median(last) / Stats.Median(first);
    report.Add(
        $"statements: last partition ({lastPartition}) vs first ({options.Rows:N0} rows)", $"{Stats.Median(last):N0} ms median", $"partition 0 {Stats.Median(first):N0} ms", ratio, "<= 1.5x", ratio <= 1.5);
}

if (Wanted("exports"))
{
    // 11: export jobs of a stored result against psql writing the same rows as CSV.
    var source = bigResult ?? (await client.RunAsync(fullScan + " -- export source")).QueryUuid;
    await ExportBench.RunAsync(options, client, report, source);
}

if (Wanted("pickup"))
{
    // 5: from submission to a worker claiming the query (queue time recorded in query_history).
    var queueMs = new List<double>();
    var ids = new List<Guid>();
    for (var i = 0; i < 100; i++)
    {
        var (id, _, _) = await client.RunAsync("select 1 as one");
        ids.Add(id);
    }

    await using (var metadata = new NpgsqlConnection(options.MetadataConnection))
    {
        await metadata.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select extract(epoch from processing_started_at - created_at) * 1000 from query_history where query_uuid = any(@ids)", metadata);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            queueMs.Add((double)reader.GetDecimal(0));
        }
    }

    var roundTrips = new List<double>();
    for (var i = 0; i < 100; i++)
    {
        roundTrips.Add(await Baselines.TimeGetAsync(client, "/health/live"));
    }

    var p50 = Stats.Median(queueMs);
    report.Add("pick-up p50 (submit -> executing)", $"{p50:N1} ms (p99 {Stats.Percentile(queueMs, 99):N1} ms)", $"HTTP round trip {Stats.Median(roundTrips):N2} ms", p50 / Stats.Median(roundTrips), "p50 < 100 ms", p50 < 100);
}

if (Wanted("polling"))
{
    // 6: status reads per second of a running query, against the framework's floor (/health/live).
    var running = await client.SubmitAsync("select pg_sleep(60) as slept");
    var status = await Baselines.RequestsPerSecondAsync(client, $"/api/v2/projects/{options.ProjectUuid}/query/{running}", TimeSpan.FromSeconds(5), 32);
    var health = await Baselines.RequestsPerSecondAsync(client, "/health/live", TimeSpan.FromSeconds(5), 32);
    report.Add("polling load (status reads, 32 clients)", $"{status:N0} req/s", $"/health/live {health:N0} req/s", status / health, ">= 0.25x", status / health >= 0.25);
}

if (Wanted("scaleout"))
{
    // 12: small queries per second with one and two worker instances; metadata cost per query and per idle instance.
    await ScaleOutBench.RunAsync(options, client, report);
}

{
    // 14: memory that comes back: the backend's idle size once the run is over and it has settled.
    // The backend gives memory back after 10 s of quiet and again 65 s after that (what the shared array pool
    // lets go then); the runtime's compiler may keep it busy for some seconds first.
    await Task.Delay(TimeSpan.FromSeconds(90));
    var idleAtEnd = await IdleMemory.SettledAsync(options.BackendPid);
    Console.WriteLine($"  info: idle after the run: {ProcessMemory.Breakdown(options.BackendPid)}; {await IdleMemory.RuntimeFiguresAsync(client)}");
    var grownMb = (idleAtEnd - idleAtStart) / 1048576.0;
    report.Add("idle memory after the run", $"{idleAtEnd / 1048576.0:N0} MB (+{grownMb:N0} MB)", $"idle at start {idleAtStart / 1048576.0:N0} MB", (double)idleAtEnd / idleAtStart, "<= start + 50 MB", grownMb <= 50);
}

report.Print();
// Figures that miss their target are marked in the table; the run itself succeeds so every figure is printed.
return 0;

// Submits a query and polls its page 1 every 20 ms: when page 1 first had rows, and when the query was ready.
async Task<(TimeSpan FirstPage, TimeSpan Ready)> LivePageAsync(string sql, bool trace)
{
    var clock = Stopwatch.StartNew();
    var queryUuid = await client.SubmitAsync(sql);
    TimeSpan? firstPage = null;
    TimeSpan? executing = null;
    while (true)
    {
        var results = await client.GetAsync(queryUuid, page: 1, pageSize: 500);
        var status = results.GetProperty("status").GetString();
        if (trace && firstPage is null)
        {
            Console.WriteLine($"  trace: {clock.Elapsed.TotalMilliseconds:N0} ms {status} {(results.TryGetProperty("progress", out var p) ? p.ToString() : "")}");
        }

        if (executing is null && status == "executing")
        {
            executing = clock.Elapsed;
            Console.WriteLine($"  info: executing after {executing.Value.TotalMilliseconds:N0} ms");
        }

        if (firstPage is null && results.TryGetProperty("rows", out var rows) && rows.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            firstPage = clock.Elapsed;
            Console.WriteLine($"  info: page 1 read while the query was {status}");
        }

        if (status == "ready")
        {
            return (firstPage ?? clock.Elapsed, clock.Elapsed);
        }

        if (status is not ("pending" or "queued" or "executing"))
        {
            throw new InvalidOperationException($"Query {queryUuid} ended {status}");
        }

        await Task.Delay(20);
    }
}

