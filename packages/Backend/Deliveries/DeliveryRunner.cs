using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Content;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Lightdash.Net.Common;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>
/// Runs deliveries on the Hangfire workers: the scheduler's chart, SQL chart or dashboard is run as its
/// owner (with the owner's access and attributes at delivery time), each result is exported as a file,
/// and the files go to every target: webhooks (signed, retried with backoff), an S3 prefix, email. Every
/// try of every target is recorded; a delivery whose query fails records the error and tells the owner.
/// </summary>
public sealed class DeliveryRunner(
    SchedulerStore schedulers,
    DeliveryStore deliveries,
    UserStore users,
    SavedChartService savedCharts,
    SqlChartService sqlCharts,
    DashboardService dashboards,
    QueryWaiter waiter,
    ResultExporter exporter,
    ExportJobStore exports,
    ResultsBucketClient storage,
    WebhookDeliveries webhookDeliveries,
    EmailSender email,
    IOptions<DeliveriesOptions> options,
    IOptions<ResultsStorageOptions> storageOptions,
    ILogger<DeliveryRunner> logger)
{
    private static readonly string Context = QueryContext.ScheduledDelivery.ToName();

    /// <summary>One occurrence of a scheduler's cron schedule (called by its Hangfire recurring job).</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Scheduled delivery {0}")]
    public async Task RunScheduledAsync(Guid schedulerUuid, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.FindAsync(schedulerUuid, cancellationToken);
        if (scheduler is not { Enabled: true })
        {
            return;
        }

        var deliveryUuid = Guid.NewGuid();
        await deliveries.StartAsync(deliveryUuid, schedulerUuid, "schedule", cancellationToken);
        await RunAsync(schedulerUuid, deliveryUuid, cancellationToken);
    }

    /// <summary>Runs one delivery already recorded as started.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Delivery {1} of scheduler {0}")]
    public async Task RunAsync(Guid schedulerUuid, Guid deliveryUuid, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.FindAsync(schedulerUuid, cancellationToken);
        if (scheduler is null)
        {
            return;
        }

        var format = ExportFormats.Parse(scheduler.Format)!.Value;
        List<DeliveryFile> files;
        try
        {
            var owner = await users.GetUserAsync(scheduler.OwnerUuid, cancellationToken);
            files = await ProduceFilesAsync(scheduler, format, new CurrentUser(owner.UserUuid, owner.Email, owner.IsAdmin), deliveryUuid, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = e is DeliveryFailedException or ApiException or Warehouses.WarehouseQueryException or Semantic.AccessDeniedException or Semantic.MetricQueryException
                ? e.Message
                : $"Unexpected error: {e.Message}";
            logger.LogWarning(e, "Delivery {DeliveryUuid} of scheduler {SchedulerUuid} failed: {Error}", deliveryUuid, schedulerUuid, message);
            var notified = await NotifyOwnerAsync(scheduler, message, cancellationToken);
            await deliveries.FinishAsync(deliveryUuid, "failed", $"{message} {notified}", CancellationToken.None);
            return;
        }

        var targets = SchedulerTarget.ListOf(scheduler.TargetsJson);
        var links = await webhookDeliveries.LinksAsync(files, format);
        await deliveries.SaveFilesAsync(deliveryUuid, JsonSerializer.Serialize(files, JsonSerializerOptions.Web), CancellationToken.None);
        for (var i = 0; i < targets.Length; i++)
        {
            // A webhook's first try; its later tries are delayed jobs of their own.
            _ = targets[i].Type switch
            {
                "webhook" => await webhookDeliveries.SendAsync(scheduler, deliveryUuid, i, targets[i], files, links, attempt: 1, cancellationToken),
                "s3" => await CopyToS3Async(scheduler, format, deliveryUuid, i, targets[i], files, cancellationToken),
                _ => await SendEmailAsync(scheduler, format, deliveryUuid, i, targets[i], files, links, cancellationToken),
            };
        }

        logger.LogInformation("Delivery {DeliveryUuid} of scheduler {SchedulerUuid}: {Files} files sent to {Targets} targets", deliveryUuid, schedulerUuid, files.Count, targets.Length);
        await webhookDeliveries.FinishIfSettledAsync(scheduler, deliveryUuid, cancellationToken);
    }

    /// <summary>Runs the scheduler's chart, SQL chart or every chart tile of its dashboard; one file name and query each.</summary>
    private async Task<List<(string Name, Guid QueryUuid)>> RunResourceAsync(SchedulerRecord scheduler, CurrentUser owner, CancellationToken cancellationToken)
    {
        var queries = new List<(string Name, Guid QueryUuid)>();
        var baseName = FileNames.Slug(scheduler.Name);
        switch (scheduler.ResourceType)
        {
            case "chart":
                var chart = await savedCharts.ExecuteAsync(owner, scheduler.ProjectUuid, new ExecuteChartRequest { ChartUuid = scheduler.ResourceUuid, Context = Context }, cancellationToken);
                queries.Add((baseName, chart.QueryUuid));
                break;
            case "sqlChart":
                var sql = await sqlCharts.ExecuteAsync(owner, scheduler.ProjectUuid, new ExecuteSqlChartRequest { SavedSqlUuid = scheduler.ResourceUuid, Context = Context }, cancellationToken);
                queries.Add((baseName, sql.QueryUuid));
                break;
            default:
                var dashboard = await dashboards.GetAsync(owner, scheduler.ProjectUuid, scheduler.ResourceUuid, cancellationToken);
                var n = 0;
                foreach (var tile in dashboard.Tiles)
                {
                    if (tile.SavedChartUuid is { } chartUuid)
                    {
                        var run = await dashboards.ExecuteChartAsync(owner, scheduler.ProjectUuid, new ExecuteDashboardChartRequest
                        {
                            ChartUuid = chartUuid, TileUuid = tile.TileUuid, DashboardUuid = scheduler.ResourceUuid,
                        }, cancellationToken);
                        queries.Add(($"{baseName}-{++n}", run.QueryUuid));
                    }
                    else if (tile.SavedSqlUuid is { } sqlUuid)
                    {
                        var run = await dashboards.ExecuteSqlChartAsync(owner, scheduler.ProjectUuid, new ExecuteDashboardSqlChartRequest
                        {
                            SavedSqlUuid = sqlUuid, TileUuid = tile.TileUuid, DashboardUuid = scheduler.ResourceUuid,
                        }, cancellationToken);
                        queries.Add(($"{baseName}-{++n}", run.QueryUuid));
                    }
                }

                break;
        }

        return queries;
    }

    private async Task<List<DeliveryFile>> ProduceFilesAsync(SchedulerRecord scheduler, ExportFormat format, CurrentUser owner, Guid deliveryUuid, CancellationToken cancellationToken)
    {
        var queries = await RunResourceAsync(scheduler, owner, cancellationToken);
        var files = new List<DeliveryFile>();
        foreach (var (name, queryUuid) in queries)
        {
            var query = await waiter.WaitForFinalStateAsync(queryUuid, options.Value.QueryWait, cancellationToken);
            if (query is not { Status: QueryStatus.Ready, ResultsFileName: not null })
            {
                throw new DeliveryFailedException(
                    $"The query of {name} ({queryUuid}) ended {query?.Status.ToName() ?? "deleted"}{(query?.Error is { } error ? $": {error}" : "")}.");
            }

            var key = $"{ResultsObjectKeys.ExportsOf(storageOptions.Value.Prefix, scheduler.ProjectUuid, queryUuid)}{deliveryUuid:N}.{format.NameOf()}";
            var outcome = await exporter.ExportAsync(new ExportSpec(HistoryResultSources.Of(query), format), key, _ => { }, cancellationToken);
            // Kept as long as its links work, then deleted with the export jobs' files (and with its query).
            await exports.RecordCompletedAsync(new ExportJobRecord
            {
                JobId = Guid.NewGuid(),
                ProjectUuid = scheduler.ProjectUuid,
                QueryUuid = queryUuid,
                UserUuid = owner.UserUuid,
                Format = format.NameOf(),
                FileName = $"{name}.{format.NameOf()}",
                TotalRows = query.TotalRowCount ?? 0,
                RowsWritten = outcome.Rows,
                ByteSize = outcome.Bytes,
                FileKey = key,
                Truncated = outcome.Truncated,
                TruncatedAt = outcome.Limit,
                ExpiresAt = DateTime.UtcNow.Add(options.Value.LinkLifetime),
            }, cancellationToken);
            files.Add(new DeliveryFile
            {
                Name = $"{name}.{format.NameOf()}",
                QueryUuid = queryUuid,
                Key = key,
                RowCount = outcome.Rows,
                Truncated = outcome.Truncated,
                ByteSize = outcome.Bytes,
            });
        }

        return files;
    }

    private async Task<bool> CopyToS3Async(
        SchedulerRecord scheduler, ExportFormat format, Guid deliveryUuid, int index, SchedulerTarget target, IReadOnlyList<DeliveryFile> files, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var bucket = string.IsNullOrWhiteSpace(options.Value.S3Bucket) ? storage.Bucket : options.Value.S3Bucket;
        string? error = null;
        try
        {
            foreach (var file in files)
            {
                // Text formats are stored gzip-compressed: the copy says so in its name.
                var name = ResultExporter.IsStoredCompressed(format) ? file.Name + ".gz" : file.Name;
                await storage.CopyAsync(file.Key, bucket, $"{storageOptions.Value.Prefix}deliveries/{scheduler.ProjectUuid}/{target.Prefix}/{name}", cancellationToken);
            }
        }
        catch (ResultsStorageException e)
        {
            error = e.Message;
        }

        await deliveries.RecordAttemptAsync(new DeliveryAttemptRecord
        {
            DeliveryUuid = deliveryUuid, TargetIndex = index, TargetType = "s3", Attempt = 1, Succeeded = error is null, Error = error,
            DurationMs = clock.ElapsedMilliseconds,
        }, cancellationToken);
        return error is null;
    }

    private async Task<bool> SendEmailAsync(
        SchedulerRecord scheduler, ExportFormat format, Guid deliveryUuid, int index, SchedulerTarget target, IReadOnlyList<DeliveryFile> files, IReadOnlyList<string> links, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? error = null;
        if (!email.Enabled)
        {
            error = "No SMTP server is configured (Deliveries:Smtp:Host).";
        }
        else
        {
            try
            {
                var attachments = new List<EmailAttachment>();
                foreach (var file in files.Where(f => f.ByteSize <= options.Value.MaxAttachmentBytes))
                {
                    attachments.Add(new EmailAttachment(file.Name, format.ContentTypeOf(), await ReadFileAsync(file.Key, format, cancellationToken)));
                }

                var text = $"{scheduler.Name}\n\n" + string.Join("\n", files.Select((f, i) =>
                    $"{f.Name}: {f.RowCount} rows{(f.Truncated ? " (truncated)" : "")}{(f.ByteSize > options.Value.MaxAttachmentBytes ? " (too large to attach)" : "")}\n  {links[i]}"))
                    + $"\n\nThe links work until {DateTime.UtcNow.Add(options.Value.LinkLifetime):u}.";
                await email.SendAsync(target.Recipients!, $"Delivery: {scheduler.Name}", text, attachments, cancellationToken);
            }
            catch (Exception e) when (e is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or IOException or System.Net.Sockets.SocketException or MailKit.ServiceNotConnectedException)
            {
                error = $"The email could not be sent: {e.Message}";
            }
        }

        await deliveries.RecordAttemptAsync(new DeliveryAttemptRecord
        {
            DeliveryUuid = deliveryUuid, TargetIndex = index, TargetType = "email", Attempt = 1, Succeeded = error is null, Error = error,
            DurationMs = clock.ElapsedMilliseconds,
        }, cancellationToken);
        return error is null;
    }

    private async Task<byte[]> ReadFileAsync(string key, ExportFormat format, CancellationToken cancellationToken)
    {
        await using var stored = await storage.OpenAsync(key, cancellationToken);
        await using var plain = ResultExporter.IsStoredCompressed(format) ? new System.IO.Compression.GZipStream(stored, System.IO.Compression.CompressionMode.Decompress) : stored;
        using var copy = new MemoryStream();
        await plain.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    private async Task<string> NotifyOwnerAsync(SchedulerRecord scheduler, string error, CancellationToken cancellationToken)
    {
        if (!email.Enabled)
        {
            return "(No SMTP server is configured to notify the owner.)";
        }

        try
        {
            var owner = await users.GetUserAsync(scheduler.OwnerUuid, cancellationToken);
            await email.SendAsync([owner.Email], $"Delivery failed: {scheduler.Name}", $"The scheduled delivery \"{scheduler.Name}\" failed:\n\n{error}", [], cancellationToken);
            return "The owner was notified by email.";
        }
        catch (Exception e) when (e is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or IOException or System.Net.Sockets.SocketException)
        {
            return $"(Notifying the owner failed: {e.Message})";
        }
    }
}
