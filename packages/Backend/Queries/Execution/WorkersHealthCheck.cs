using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>Ready when this instance's Hangfire server is registered and beating in the shared storage.</summary>
public sealed class WorkersHealthCheck(JobStorage storage) : IHealthCheck
{
    private static readonly TimeSpan MaxHeartbeatAge = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var servers = storage.GetMonitoringApi().Servers();
            var mine = servers.FirstOrDefault(s => s.Name.StartsWith(RunQueryJob.ServerName, StringComparison.Ordinal));
            if (mine is null)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("This instance's query workers are not registered (yet)."));
            }

            return Task.FromResult(mine.Heartbeat is { } beat && DateTime.UtcNow - beat > MaxHeartbeatAge
                ? HealthCheckResult.Unhealthy($"This instance's query workers last reported at {beat:u}.")
                : HealthCheckResult.Healthy($"{mine.WorkersCount} query workers; {servers.Count} server(s) share the queue."));
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The job queue does not answer: {e.Message}"));
        }
    }
}
