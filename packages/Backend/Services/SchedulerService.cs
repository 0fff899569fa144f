using System.Net.Mail;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cronos;
using Hangfire;
using Lightdash.Net.Backend.Auth;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Backend.Data;
using Lightdash.Net.Backend.Results.Exports;

namespace Lightdash.Net.Backend.Services;

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
        background.Enqueue<DeliveryRunner>(runner => runner.RunAsync(schedulerUuid, deliveryUuid, CancellationToken.None));
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
            id, runner => runner.RunScheduledAsync(uuid, CancellationToken.None), scheduler.Cron, new RecurringJobOptions { TimeZone = ParseTimezone(scheduler.Timezone) });
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

    private async Task<SchedulerRecord> ValidateAsync(
        Guid projectUuid, Guid schedulerUuid, Guid ownerUuid, SchedulerRequest request, SchedulerRecord? current, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            throw new ValidationException($"name is required (1 to {MaxNameLength} characters).");
        }

        var resourceType = ResourceTypes.FirstOrDefault(t => string.Equals(t, request.ResourceType?.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ValidationException($"resourceType must be one of {string.Join(", ", ResourceTypes)} (got \"{request.ResourceType}\").");
        var resourceUuid = request.ResourceUuid ?? throw new ValidationException("resourceUuid is required: the chart, SQL chart or dashboard to deliver.");
        if (!await ResourceExistsAsync(projectUuid, resourceType, resourceUuid, cancellationToken))
        {
            throw new NotFoundException($"No {resourceType} {resourceUuid} exists in project {projectUuid}.");
        }

        ParseCron(request.Cron);
        var cron = request.Cron!.Trim();
        var timezone = ParseTimezone(request.Timezone).Id;
        var format = string.IsNullOrWhiteSpace(request.Format) ? "csv" : request.Format.Trim().ToLowerInvariant();
        if (!Formats.Contains(format))
        {
            throw new ValidationException($"format must be one of {string.Join(", ", Formats)} (got \"{request.Format}\").");
        }

        var targets = request.Targets ?? [];
        if (targets.Count is 0 or > MaxTargets)
        {
            throw new ValidationException($"targets must list 1 to {MaxTargets} targets (webhook, s3 or email).");
        }

        var previous = current is null ? [] : JsonSerializer.Deserialize<SchedulerTarget[]>(current.TargetsJson, JsonSerializerOptions.Web) ?? [];
        var checkedTargets = targets.Select((t, i) => CheckTarget(t, i, previous)).ToList();
        return new SchedulerRecord
        {
            SchedulerUuid = schedulerUuid,
            ProjectUuid = projectUuid,
            OwnerUuid = ownerUuid,
            Name = name,
            ResourceType = resourceType,
            ResourceUuid = resourceUuid,
            Cron = cron,
            Timezone = timezone,
            Format = format,
            TargetsJson = JsonSerializer.Serialize(checkedTargets, JsonSerializerOptions.Web),
            Enabled = request.Enabled ?? current?.Enabled ?? true,
        };
    }

    private async Task<bool> ResourceExistsAsync(Guid projectUuid, string resourceType, Guid resourceUuid, CancellationToken cancellationToken)
    {
        try
        {
            switch (resourceType)
            {
                case "chart":
                    await savedCharts.GetAsync(projectUuid, resourceUuid, null, cancellationToken);
                    break;
                case "sqlChart":
                    await savedSql.GetAsync(projectUuid, resourceUuid, null, cancellationToken);
                    break;
                default:
                    await dashboards.GetAsync(projectUuid, resourceUuid, cancellationToken);
                    break;
            }

            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    private static SchedulerTarget CheckTarget(SchedulerTargetRequest target, int index, SchedulerTarget[] previous)
    {
        var where = $"targets[{index}]";
        switch (target.Type?.Trim().ToLowerInvariant())
        {
            case "webhook":
                if (!Uri.TryCreate(target.Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || target.Url!.Length > 2000)
                {
                    throw new ValidationException($"{where}.url must be an absolute http or https URL (at most 2000 characters).");
                }

                if (url.UserInfo.Length > 0)
                {
                    throw new ValidationException($"{where}.url must not carry a user name or password (user:password@); sign deliveries with a secret instead.");
                }

                if (target.Secret is { Length: > 200 })
                {
                    throw new ValidationException($"{where}.secret must be at most 200 characters.");
                }

                // A change that leaves the secret out keeps the one set before for the same URL.
                var secret = target.Secret ?? previous.FirstOrDefault(p => p.Type == "webhook" && p.Url == url.ToString())?.Secret;
                return new SchedulerTarget("webhook", url.ToString(), secret, null, null);
            case "s3":
                var prefix = target.Prefix?.Trim().Trim('/');
                if (string.IsNullOrEmpty(prefix) || prefix.Length > 500 || !PrefixPattern().IsMatch(prefix) || prefix.Split('/').Any(part => part is "" or "." or ".."))
                {
                    throw new ValidationException($"{where}.prefix must be 1 to 500 letters, digits, '-', '_', '.' and '/' (no empty, '.' or '..' parts).");
                }

                return new SchedulerTarget("s3", null, null, prefix, null);
            case "email":
                var recipients = target.Recipients ?? [];
                if (recipients.Count is 0 or > MaxRecipients)
                {
                    throw new ValidationException($"{where}.recipients must list 1 to {MaxRecipients} addresses.");
                }

                foreach (var recipient in recipients)
                {
                    if (recipient is not { Length: <= 320 } || !MailAddress.TryCreate(recipient, out var parsed) || parsed.Address != recipient.Trim())
                    {
                        throw new ValidationException($"{where}.recipients has \"{(recipient?.Length > 100 ? recipient[..100] : recipient)}\", which is not an email address.");
                    }
                }

                return new SchedulerTarget("email", null, null, null, recipients.Select(r => r.Trim()).ToArray());
            default:
                throw new ValidationException($"{where}.type must be webhook, s3 or email (got \"{target.Type}\").");
        }
    }

    private static SchedulerResults Results(SchedulerRecord scheduler)
    {
        var targets = JsonSerializer.Deserialize<SchedulerTarget[]>(scheduler.TargetsJson, JsonSerializerOptions.Web) ?? [];
        DateTime? next = null;
        if (scheduler.Enabled)
        {
            next = ParseCron(scheduler.Cron).GetNextOccurrence(DateTime.UtcNow, ParseTimezone(scheduler.Timezone));
        }

        return new SchedulerResults
        {
            SchedulerUuid = scheduler.SchedulerUuid,
            ProjectUuid = scheduler.ProjectUuid,
            OwnerUuid = scheduler.OwnerUuid,
            Name = scheduler.Name,
            ResourceType = scheduler.ResourceType,
            ResourceUuid = scheduler.ResourceUuid,
            Cron = scheduler.Cron,
            Timezone = scheduler.Timezone,
            Format = scheduler.Format,
            Targets = targets.Select(t => new SchedulerTargetResults
            {
                Type = t.Type,
                Url = t.Url,
                HasSecret = t.Type == "webhook" ? !string.IsNullOrEmpty(t.Secret) : null,
                Prefix = t.Prefix,
                Recipients = t.Recipients,
            }).ToList(),
            Enabled = scheduler.Enabled,
            NextRunAt = next,
            CreatedAt = DateTime.SpecifyKind(scheduler.CreatedAt, DateTimeKind.Utc),
            UpdatedAt = DateTime.SpecifyKind(scheduler.UpdatedAt, DateTimeKind.Utc),
        };
    }

    [GeneratedRegex(@"^[A-Za-z0-9._/-]+$")]
    private static partial Regex PrefixPattern();
}

/// <summary>A scheduler's target as stored (with its webhook secret).</summary>
/// <param name="Type"><c>webhook</c>, <c>s3</c> or <c>email</c>.</param>
/// <param name="Url">Webhook URL.</param>
/// <param name="Secret">Webhook signing secret.</param>
/// <param name="Prefix">S3 prefix.</param>
/// <param name="Recipients">Email recipients.</param>
public sealed record SchedulerTarget(string Type, string? Url, string? Secret, string? Prefix, IReadOnlyList<string>? Recipients);
