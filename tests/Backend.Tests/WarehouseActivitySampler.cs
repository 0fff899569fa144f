using Npgsql;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Samples the warehouse's <c>pg_stat_activity</c> while a test runs: which queries (by the
/// <c>lightdash-net {queryUuid}</c> application name each statement carries) are active, and on which
/// server process. What the warehouse itself saw, whatever the instances believe.
/// </summary>
public sealed class WarehouseActivitySampler : IAsyncDisposable
{
    private const string Prefix = "lightdash-net ";
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts sampling every <paramref name="interval"/> through <paramref name="adminConnection"/> (one that sees every session).</summary>
    public WarehouseActivitySampler(string adminConnection, TimeSpan interval) => _loop = SampleAsync(adminConnection, interval, _stop.Token);

    /// <summary>Each sample: the active statements' query ids and server process ids.</summary>
    public List<IReadOnlyList<(Guid QueryUuid, int Pid)>> Samples { get; } = [];

    /// <summary>Stops sampling; returns the samples.</summary>
    public async Task<List<IReadOnlyList<(Guid QueryUuid, int Pid)>>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Samples;
    }

    /// <summary>The most statements of the given queries active at once in any sample.</summary>
    public int PeakOf(IReadOnlySet<Guid> queries) => Samples.Select(s => s.Count(a => queries.Contains(a.QueryUuid))).DefaultIfEmpty(0).Max();

    /// <summary>Queries seen active on two server processes in one sample (run twice at once).</summary>
    public IReadOnlyList<Guid> SeenTwiceAtOnce() =>
        [.. Samples.SelectMany(s => s.GroupBy(a => a.QueryUuid).Where(g => g.Select(a => a.Pid).Distinct().Count() > 1).Select(g => g.Key)).Distinct()];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task SampleAsync(string adminConnection, TimeSpan interval, CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(adminConnection);
        await connection.OpenAsync(stop);
        await using var command = new NpgsqlCommand(
            $"select application_name, pid from pg_stat_activity where state = 'active' and application_name like '{Prefix}%' and pid <> pg_backend_pid()", connection);
        while (!stop.IsCancellationRequested)
        {
            var sample = new List<(Guid, int)>();
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    if (Guid.TryParse(reader.GetString(0).AsSpan(Prefix.Length), out var queryUuid))
                    {
                        sample.Add((queryUuid, reader.GetInt32(1)));
                    }
                }
            }

            Samples.Add(sample);
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
