using Npgsql;

namespace Lightdash.Net.Bench;

/// <summary>
/// Many small queries with one and with two worker instances: queries per second sustained, what each
/// query costs the metadata database (transactions and rows written), and what an idle instance costs
/// it per minute (Hangfire's polling, heartbeats, leases).
/// </summary>
internal static class ScaleOutBench
{
    private const int Clients = 16;
    private static readonly TimeSpan Run = TimeSpan.FromSeconds(10);
    // A whole minute: every window holds exactly one round of the minutely recurring jobs.
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(BenchOptions options, BackendClient client, Report report)
    {
        var idleOne = await IdleCostAsync(options);
        var cpuBefore = ProcessCpu.Snapshot(options.BackendPid);
        var (oneRate, oneCost, oneCount) = await MeasureAsync(options, client, idleOne);
        Console.WriteLine($"  info: CPU time during the one-instance run ({Run.TotalSeconds:N0} s on {Environment.ProcessorCount} cores): {ProcessCpu.Describe(cpuBefore, ProcessCpu.Snapshot(options.BackendPid))}");
        var direct = await DirectQueriesPerSecondAsync(options);
        report.Add($"small queries/s, one instance ({Clients} clients)", $"{oneRate:N0} queries/s", $"the same statements on PostgreSQL directly {direct:N0}/s", oneRate / direct, "informational", true);

        await using (var worker = await WorkerInstance.StartAsync(options, new Uri(options.BaseUrl).Port + 1))
        {
            var idleTwo = await IdleCostAsync(options);
            var (twoRate, _, _) = await MeasureAsync(options, client, idleTwo);
            report.Add("small queries/s, two instances (one more worker-only)", $"{twoRate:N0} queries/s", $"one instance {oneRate:N0}/s", twoRate / oneRate, "informational", true);
            var perInstance = idleTwo.Transactions - idleOne.Transactions;
            Console.WriteLine($"  info: idle, one instance: {Minutely(idleOne.Transactions):N0} transactions/min, {Minutely(idleOne.RowsWritten):N0} rows written/min; two: {Minutely(idleTwo.Transactions):N0}/min ({Minutely(idleTwo.RowsWritten):N0} rows)");
            report.Add(
                "idle cost of a worker instance (metadata database)", $"{Minutely(perInstance):N0} transactions/min", $"one all-role instance {Minutely(idleOne.Transactions):N0}/min",
                idleOne.Transactions == 0 ? 0 : (double)perInstance / idleOne.Transactions, "informational", true);
        }

        var transactions = oneCost.Transactions / (double)oneCount;
        var rows = oneCost.RowsWritten / (double)oneCount;
        Console.WriteLine($"  info: rows written per query by table: {oneCost.TopTables(6, oneCount)}");
        report.Add("metadata cost per small query", $"{transactions:N1} transactions, {rows:N1} rows written", "the idle instance's own, subtracted", transactions, "informational", true);
    }

    private static double Minutely(long count) => count * (60 / IdleWindow.TotalSeconds);

    private static async Task<MetadataActivity> IdleCostAsync(BenchOptions options)
    {
        // The tail of earlier work (jobs' state changes, an instance's start) settles first.
        await Task.Delay(TimeSpan.FromSeconds(10));
        var before = await MetadataActivity.ReadAsync(options);
        await Task.Delay(IdleWindow);
        return (await MetadataActivity.ReadAsync(options)).Since(before);
    }

    // Closed loop: each client submits a small query, waits for it (long poll) and submits the next.
    private static async Task<(double Rate, MetadataActivity Cost, long Count)> MeasureAsync(BenchOptions options, BackendClient client, MetadataActivity idle)
    {
        var before = await MetadataActivity.ReadAsync(options);
        var (count, elapsed) = await ClosedLoop.RunAsync(Clients, Run, (c, i) => client.RunAsync($"select {c} as client, {i} as n, '{Guid.NewGuid():N}' as tag"));
        var during = (await MetadataActivity.ReadAsync(options)).Since(before);
        // What the instances do anyway over the same time is not the queries' cost.
        var cost = during.Less(idle, elapsed / IdleWindow);
        return (count / elapsed.TotalSeconds, cost, count);
    }

    private static async Task<double> DirectQueriesPerSecondAsync(BenchOptions options)
    {
        var connections = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            var connection = new NpgsqlConnection(options.WarehouseConnection);
            await connection.OpenAsync();
            return connection;
        }));
        try
        {
            var (count, elapsed) = await ClosedLoop.RunAsync(Clients, Run, async (c, i) =>
            {
                await using var command = new NpgsqlCommand($"select {c} as client, {i} as n, '{Guid.NewGuid():N}' as tag", connections[c]);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
            });
            return count / elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
