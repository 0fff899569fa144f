using Lightdash.Net.Backend.Platform;
using System.Text.Json;
using Hangfire;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Lightdash.Net.Backend.Queries.Execution;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>
/// A delivery's webhook calls: each try is one call; a failed try schedules the next as a delayed
/// Hangfire job (the backoff doubles), so no worker waits between tries. The delivery finishes when
/// its last target settles, whichever job that is.
/// </summary>
public sealed class WebhookDeliveries(
    SchedulerStore schedulers,
    DeliveryStore deliveries,
    ResultsBucketClient storage,
    WebhookSender webhooks,
    IBackgroundJobClient background,
    IOptions<DeliveriesOptions> options,
    IOptions<WebhookOptions> webhookOptions,
    ILogger<WebhookDeliveries> logger)
{
    /// <summary>What the owner reads of any failed webhook call.</summary>
    public const string FailedWebhookCall = "The webhook did not accept the delivery (no answer in time, no connection, or an error status); the operator's log has the details.";

    /// <summary>Fresh presigned links to the delivery's files.</summary>
    public async Task<IReadOnlyList<string>> LinksAsync(IReadOnlyList<DeliveryFile> files, ExportFormat format)
    {
        var expires = DateTime.UtcNow.Add(options.Value.LinkLifetime);
        var links = new List<string>();
        foreach (var file in files)
        {
            links.Add(await ExportLinks.PresignAsync(storage, file.Key, format, file.Name, expires));
        }

        return links;
    }

    /// <summary>Makes try <paramref name="attempt"/> of target <paramref name="index"/>; on failure schedules the next try, if any is left.</summary>
    public async Task<bool> SendAsync(
        SchedulerRecord scheduler, Guid deliveryUuid, int index, SchedulerTarget target, IReadOnlyList<DeliveryFile> files, IReadOnlyList<string> links, int attempt,
        CancellationToken cancellationToken)
    {
        var call = await webhooks.SendAsync(new Uri(target.Url!), target.Secret, deliveryUuid, Payload(scheduler, deliveryUuid, files, links), cancellationToken);
        // The owner learns success or failure and nothing else: a refused connection, a timeout, an
        // error status and a refused address look alike and are retried alike. The details are the operator's.
        if (!call.Succeeded)
        {
            logger.LogWarning(
                "Delivery {DeliveryUuid}: webhook target {TargetIndex} attempt {Attempt} failed after {ElapsedMs} ms (status {StatusCode}): {Error}",
                deliveryUuid, index, attempt, (long)call.Elapsed.TotalMilliseconds, call.StatusCode, call.Error);
        }

        await deliveries.RecordAttemptAsync(new DeliveryAttemptRecord
        {
            DeliveryUuid = deliveryUuid, TargetIndex = index, TargetType = "webhook", Attempt = attempt, Succeeded = call.Succeeded,
            StatusCode = call.Succeeded ? call.StatusCode : null,
            Error = call.Succeeded ? null : FailedWebhookCall,
            DurationMs = call.Succeeded ? (long)call.Elapsed.TotalMilliseconds : null,
        }, cancellationToken);
        if (!call.Succeeded && attempt < webhookOptions.Value.WebhookAttempts)
        {
            var delay = webhookOptions.Value.DelayAfter(attempt);
            background.Schedule<WebhookDeliveries>(Workloads.SystemQueue, job => job.RetryAsync(scheduler.SchedulerUuid, deliveryUuid, index, attempt + 1, CancellationToken.None), delay);
        }

        return call.Succeeded;
    }

    /// <summary>A later try of one webhook target (a delayed Hangfire job); finishes the delivery when it was the last to settle.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Webhook try {3} of delivery {1}")]
    public async Task RetryAsync(Guid schedulerUuid, Guid deliveryUuid, int index, int attempt, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.FindAsync(schedulerUuid, cancellationToken);
        var delivery = await deliveries.FindAsync(deliveryUuid, cancellationToken);
        if (scheduler is null || delivery is not { Status: "running", FilesJson: { } filesJson })
        {
            return;
        }

        var targets = SchedulerTarget.ListOf(scheduler.TargetsJson);
        if (index >= targets.Length || targets[index].Type != "webhook")
        {
            return;
        }

        var files = JsonSerializer.Deserialize<List<DeliveryFile>>(filesJson, JsonSerializerOptions.Web) ?? [];
        var links = await LinksAsync(files, ExportFormats.Parse(scheduler.Format)!.Value);
        await SendAsync(scheduler, deliveryUuid, index, targets[index], files, links, attempt, cancellationToken);
        await FinishIfSettledAsync(scheduler, deliveryUuid, cancellationToken);
    }

    /// <summary>Finishes the delivery once every target has settled (a success, or its tries used up).</summary>
    public async Task FinishIfSettledAsync(SchedulerRecord scheduler, Guid deliveryUuid, CancellationToken cancellationToken)
    {
        var attempts = await deliveries.AttemptsAsync(deliveryUuid, cancellationToken);
        if (DeliveryOutcomes.Decide(SchedulerTarget.ListOf(scheduler.TargetsJson), attempts, webhookOptions.Value.WebhookAttempts) is { } outcome
            && await deliveries.FinishAsync(deliveryUuid, outcome.Status, outcome.Error, CancellationToken.None))
        {
            logger.LogInformation("Delivery {DeliveryUuid} of scheduler {SchedulerUuid}: {Status}", deliveryUuid, scheduler.SchedulerUuid, outcome.Status);
        }
    }

    private byte[] Payload(SchedulerRecord scheduler, Guid deliveryUuid, IReadOnlyList<DeliveryFile> files, IReadOnlyList<string> links) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            deliveryUuid,
            schedulerUuid = scheduler.SchedulerUuid,
            projectUuid = scheduler.ProjectUuid,
            name = scheduler.Name,
            resourceType = scheduler.ResourceType,
            resourceUuid = scheduler.ResourceUuid,
            format = scheduler.Format,
            deliveredAt = DateTime.UtcNow,
            linksExpireAt = DateTime.UtcNow.Add(options.Value.LinkLifetime),
            files = files.Select((f, i) => new { name = f.Name, url = links[i], rowCount = f.RowCount, truncated = f.Truncated, byteSize = f.ByteSize }),
        }, JsonSerializerOptions.Web);
}
