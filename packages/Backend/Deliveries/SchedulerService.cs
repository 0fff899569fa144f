using System.Text.Json;
using Cronos;
using Hangfire;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Content;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>
/// Scheduled deliveries: created by members who may view what they deliver (developers and up), managed
/// by their owner, the project's admins and organisation admins. Each enabled scheduler is a Hangfire
/// recurring job on the shared PostgreSQL storage, so one instance runs each occurrence once.
/// </summary>
public sealed partial class SchedulerService(
    ProjectAccess access,
    SchedulerStore schedulers,
    DeliveryStore deliveries,
    SavedChartStore savedCharts,
    SavedSqlStore savedSql,
    DashboardStore dashboards,
    IRecurringJobManager recurringJobs,
    IBackgroundJobClient background,
    ILogger<SchedulerService> logger)
{
    private const int MaxTargets = 10;
    private const int MaxRecipients = 50;
    private const int MaxNameLength = 200;
    private static readonly string[] ResourceTypes = ["chart", "sqlChart", "dashboard"];
    private static readonly string[] Formats = ["csv", "xlsx", "parquet"];

    /// <summary>The recurring job id of a scheduler.</summary>
    public static string RecurringJobId(Guid schedulerUuid) => RecurringJobPrefix + schedulerUuid.ToString("D");

    /// <summary>Creates a scheduler owned by the caller.</summary>
    public async Task<SchedulerResults> CreateAsync(CurrentUser user, Guid projectUuid, SchedulerRequest request, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        var record = await ValidateAsync(projectUuid, Guid.NewGuid(), user.UserUuid, request, null, cancellationToken);
        var saved = await schedulers.SaveAsync(record, cancellationToken);
        Register(saved);
        logger.LogInformation("Scheduler {SchedulerUuid} created in project {ProjectUuid}", saved.SchedulerUuid, projectUuid);
        return Results(saved);
    }

    /// <summary>The project's schedulers the caller may manage (all of them for project and organisation admins).</summary>
    public async Task<IReadOnlyList<SchedulerResults>> ListAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var all = await IsProjectAdminAsync(user, projectUuid, cancellationToken);
        return (await schedulers.ListAsync(projectUuid, all ? null : user.UserUuid, cancellationToken)).Select(Results).ToList();
    }

    /// <summary>One scheduler the caller may manage; 404 otherwise.</summary>
    public async Task<SchedulerResults> GetAsync(CurrentUser user, Guid schedulerUuid, CancellationToken cancellationToken) =>
        Results(await ManagedAsync(user, schedulerUuid, cancellationToken));

    /// <summary>Replaces a scheduler's settings (its owner stays).</summary>
    public async Task<SchedulerResults> UpdateAsync(CurrentUser user, Guid schedulerUuid, SchedulerRequest request, CancellationToken cancellationToken)
    {
        var current = await ManagedAsync(user, schedulerUuid, cancellationToken);
        var record = await ValidateAsync(current.ProjectUuid, schedulerUuid, current.OwnerUuid, request, current, cancellationToken);
        var saved = await schedulers.SaveAsync(record, cancellationToken);
        Register(saved);
        return Results(saved);
    }

    /// <summary>Pauses or resumes a scheduler.</summary>
    public async Task<SchedulerResults> SetEnabledAsync(CurrentUser user, Guid schedulerUuid, SchedulerEnabledRequest request, CancellationToken cancellationToken)
    {
        var current = await ManagedAsync(user, schedulerUuid, cancellationToken);
        var enabled = request.Enabled ?? throw new ValidationException("enabled is required: true to run on the schedule, false to pause.");
        var saved = await schedulers.SaveAsync(current with { Enabled = enabled }, cancellationToken);
        Register(saved);
        return Results(saved);
    }

    /// <summary>Deletes a scheduler and its delivery log.</summary>
    public async Task DeleteAsync(CurrentUser user, Guid schedulerUuid, CancellationToken cancellationToken)
    {
        await ManagedAsync(user, schedulerUuid, cancellationToken);
        recurringJobs.RemoveIfExists(RecurringJobId(schedulerUuid));
        await schedulers.DeleteAsync(schedulerUuid, cancellationToken);
    }

    /// <summary>Starts a delivery now (also of a paused scheduler); answers its id at once.</summary>
    public async Task<DeliveryStarted> RunNowAsync(CurrentUser user, Guid schedulerUuid, CancellationToken cancellationToken)
    {
        await ManagedAsync(user, schedulerUuid, cancellationToken);
        var deliveryUuid = Guid.NewGuid();
        await deliveries.StartAsync(deliveryUuid, schedulerUuid, "manual", cancellationToken);
        background.Enqueue<DeliveryRunner>(Workloads.QueueOf(WorkloadClass.Batch), runner => runner.RunAsync(schedulerUuid, deliveryUuid, CancellationToken.None));
        return new DeliveryStarted { DeliveryUuid = deliveryUuid };
    }

    /// <summary>The scheduler's latest deliveries (at most <paramref name="limit"/>) with every attempt.</summary>
    public async Task<IReadOnlyList<DeliveryResults>> LogsAsync(CurrentUser user, Guid schedulerUuid, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 200)
        {
            throw new ValidationException($"limit must be between 1 and 200 (got {limit}).");
        }

        await ManagedAsync(user, schedulerUuid, cancellationToken);
        return (await deliveries.ListAsync(schedulerUuid, limit ?? 50, cancellationToken)).Select(d => new DeliveryResults
        {
            DeliveryUuid = d.Delivery.DeliveryUuid,
            Trigger = d.Delivery.Trigger,
            Status = d.Delivery.Status,
            Error = d.Delivery.Error,
            Files = d.Delivery.FilesJson is { } files ? JsonSerializer.Deserialize<DeliveryFile[]>(files, JsonSerializerOptions.Web) ?? [] : [],
            Attempts = d.Attempts.Select(a => new DeliveryAttemptResults
            {
                TargetIndex = a.TargetIndex,
                TargetType = a.TargetType,
                Attempt = a.Attempt,
                Succeeded = a.Succeeded,
                StatusCode = a.StatusCode,
                Error = a.Error,
                DurationMs = a.DurationMs,
                AttemptedAt = DateTime.SpecifyKind(a.AttemptedAt, DateTimeKind.Utc),
            }).ToList(),
            StartedAt = DateTime.SpecifyKind(d.Delivery.StartedAt, DateTimeKind.Utc),
            FinishedAt = d.Delivery.FinishedAt is { } finished ? DateTime.SpecifyKind(finished, DateTimeKind.Utc) : null,
        }).ToList();
    }

    /// <summary>The cron expression parsed (five fields, or six with seconds first); a 400 names what is wrong.</summary>
    public static CronExpression ParseCron(string? cron)
    {
        var text = cron?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > 100)
        {
            throw new ValidationException("cron is required: five fields (minute hour day month weekday), or six with seconds first.");
        }

        try
        {
            return CronExpression.Parse(text, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new ValidationException($"cron \"{text}\" is not a cron expression: {e.Message}");
        }
    }

    /// <summary>The time zone named (IANA), or a 400.</summary>
    public static TimeZoneInfo ParseTimezone(string? timezone)
    {
        var name = string.IsNullOrWhiteSpace(timezone) ? "UTC" : timezone.Trim();
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException || name.Length > 100)
        {
            throw new ValidationException($"timezone \"{(name.Length > 100 ? name[..100] : name)}\" is not a known time zone (use an IANA name such as Europe/London).");
        }
    }

    /// <summary>
    /// Makes Hangfire's recurring jobs match the <c>schedulers</c> table: every enabled scheduler has its
    /// job (as it is stored now), and no job is left of a disabled or deleted one. Run at start-up, so a
    /// reset Hangfire schema or a lost registration heals itself. Returns (registered, removed).
    /// </summary>
    public async Task<(int Registered, int Removed)> ReconcileAsync(JobStorage storage, CancellationToken cancellationToken)
    {
        var all = await schedulers.ListAllAsync(cancellationToken);
        var wanted = all.Where(s => s.Enabled).Select(s => RecurringJobId(s.SchedulerUuid)).ToHashSet(StringComparer.Ordinal);
        foreach (var scheduler in all.Where(s => s.Enabled))
        {
            Register(scheduler);
        }

        var removed = 0;
        using (var connection = storage.GetConnection())
        {
            foreach (var job in Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection))
            {
                if (job.Id.StartsWith(RecurringJobPrefix, StringComparison.Ordinal) && !wanted.Contains(job.Id))
                {
                    recurringJobs.RemoveIfExists(job.Id);
                    removed++;
                }
            }
        }

        logger.LogInformation("Schedulers reconciled with Hangfire: {Registered} recurring jobs registered, {Removed} left over removed", wanted.Count, removed);
        return (wanted.Count, removed);
    }

    private const string RecurringJobPrefix = "scheduler-";

    private void Register(SchedulerRecord scheduler)
    {
        var id = RecurringJobId(scheduler.SchedulerUuid);
        if (!scheduler.Enabled)
        {
            recurringJobs.RemoveIfExists(id);
            return;
        }

        var uuid = scheduler.SchedulerUuid;
        recurringJobs.AddOrUpdate<DeliveryRunner>(
            id, Workloads.QueueOf(WorkloadClass.Batch), runner => runner.RunScheduledAsync(uuid, CancellationToken.None), scheduler.Cron,
            new RecurringJobOptions { TimeZone = ParseTimezone(scheduler.Timezone) });
    }

    private async Task<SchedulerRecord> ManagedAsync(CurrentUser user, Guid schedulerUuid, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.FindAsync(schedulerUuid, cancellationToken);
        var notFound = new NotFoundException($"Scheduler {schedulerUuid} does not exist.");
        if (scheduler is null)
        {
            throw notFound;
        }

        try
        {
            await access.RequireAsync(user, scheduler.ProjectUuid, ProjectRole.Viewer, cancellationToken);
        }
        catch (NotFoundException)
        {
            throw notFound;
        }

        return scheduler.OwnerUuid == user.UserUuid || await IsProjectAdminAsync(user, scheduler.ProjectUuid, cancellationToken)
            ? scheduler
            : throw notFound;
    }

    private async Task<bool> IsProjectAdminAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        try
        {
            await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
            return true;
        }
        catch (ForbiddenException)
        {
            return false;
        }
    }
}
