using Hangfire;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>
/// At start-up, makes Hangfire's recurring jobs match the schedulers table
/// (<see cref="SchedulerService.ReconcileAsync"/>). A failure is logged and the instance starts anyway:
/// every scheduler's next change registers it again, and the next start tries again.
/// </summary>
public sealed class SchedulerReconciliation(SchedulerService schedulers, JobStorage storage, ILogger<SchedulerReconciliation> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await schedulers.ReconcileAsync(storage, stoppingToken);
        }
        catch (Exception e) when (e is Hangfire.Storage.DistributedLockTimeoutException or Npgsql.NpgsqlException or TimeoutException)
        {
            logger.LogWarning(e, "Schedulers could not be reconciled with Hangfire's recurring jobs at start-up");
        }
    }
}
