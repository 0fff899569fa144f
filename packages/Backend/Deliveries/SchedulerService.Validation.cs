using System.Net.Mail;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Deliveries;

// SchedulerService, continued: validation.
public sealed partial class SchedulerService
{
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

        var previous = current is null ? [] : SchedulerTarget.ListOf(current.TargetsJson);
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
        var targets = SchedulerTarget.ListOf(scheduler.TargetsJson);
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
