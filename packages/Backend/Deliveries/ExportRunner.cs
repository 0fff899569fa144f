using System.Collections.Concurrent;
using System.Text.Json;
using Hangfire;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Microsoft.Extensions.Options;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>
/// Runs export jobs on the Hangfire workers of any instance: claims the job, renews its lease while
/// it streams the stored result into an S3 multipart upload (stopping when the job is cancelled or
/// taken over), and records the file. Lapsed leases are taken over (another attempt) by
/// <see cref="ReapAsync"/>; expired jobs and their files are deleted by <see cref="ExpireAsync"/>.
/// </summary>
public sealed class ExportRunner(
    ExportJobStore jobs,
    QueryHistoryStore history,
    ResultExporter exporter,
    ResultsBucketClient storage,
    IBackgroundJobClient background,
    IOptions<QueryExecutionOptions> executionOptions,
    IOptions<ResultsStorageOptions> storageOptions,
    ExclusiveRuns exclusive,
    ILogger<ExportRunner> logger)
{
    /// <summary>The recurring job's id in Hangfire.</summary>
    public const string RecurringJobId = "exports-upkeep";

    private static readonly ConcurrentDictionary<Guid, CancellationTokenSource> Running = new();

    /// <summary>Stops a job running on this instance at once (others notice at their next heartbeat).</summary>
    public static void StopLocal(Guid jobId)
    {
        if (Running.TryGetValue(jobId, out var stop))
        {
            stop.Cancel();
        }
    }

    /// <summary>Runs one export job.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Export {0}")]
    public async Task RunAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.ClaimAsync(jobId, RunQueryJob.ServerName, cancellationToken);
        if (job is null)
        {
            return;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Running[jobId] = stop;
        long rows = 0;
        var heartbeat = HeartbeatAsync(job, () => Interlocked.Read(ref rows), stop);
        try
        {
            var query = await history.FindAsync(job.QueryUuid, stop.Token);
            if (query is not { StatusName: "ready", ResultsFileName: not null })
            {
                await jobs.FailAsync(jobId, job.Attempt, $"Query {job.QueryUuid} is no longer ready; run it again and export anew.", CancellationToken.None);
                return;
            }

            var format = ExportFormats.Parse(job.Format)!.Value;
            var spec = new ExportSpec(HistoryResultSources.Of(query), format, job.Formatted ? FormatterOf(query) : null, job.RowLimit);
            var key = $"{ResultsObjectKeys.ExportsOf(storageOptions.Value.Prefix, job.ProjectUuid, job.QueryUuid)}{jobId:N}.{format.NameOf()}";
            var outcome = await exporter.ExportAsync(
                spec,
                key,
                written => Interlocked.Exchange(ref rows, written),
                stop.Token,
                (uploadId, token) => jobs.RecordUploadAsync(jobId, job.Attempt, key, uploadId, token));
            await FinishAsync(job, key, outcome, clock.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            logger.LogInformation("Export {JobId} stopped (cancelled, or taken over)", jobId);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Export {JobId} failed", jobId);
            await jobs.FailAsync(jobId, job.Attempt, e is ResultsStorageException ? e.Message : $"The export failed: {e.Message}", CancellationToken.None);
        }
        finally
        {
            Running.TryRemove(jobId, out _);
            await stop.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>Records the finished file, unless the job was cancelled (or taken over) after its last byte: then the file is not this job's any more.</summary>
    private async Task FinishAsync(ExportJobRecord job, string key, ExportOutcome outcome, long elapsedMs)
    {
        if (await jobs.CompleteAsync(job.JobId, job.Attempt, key, outcome.Rows, outcome.Bytes, outcome.Truncated, outcome.Limit, CancellationToken.None))
        {
            logger.LogInformation(
                "Export {JobId} of query {QueryUuid} completed in {ElapsedMs} ms: {Rows} rows, {Bytes} bytes{Truncated}",
                job.JobId, job.QueryUuid, elapsedMs, outcome.Rows, outcome.Bytes, outcome.Truncated ? $", truncated at {outcome.Limit}" : "");
        }
        else
        {
            await storage.DeleteAsync([key], CancellationToken.None);
        }
    }

    /// <summary>Takes over jobs whose worker stopped renewing the lease: the left upload is aborted and the job queued again, or failed after <see cref="QueryExecutionOptions.MaxAttempts"/>.</summary>
    public async Task<int> ReapAsync(CancellationToken cancellationToken)
    {
        var settings = executionOptions.Value;
        var reaped = 0;
        foreach (var lapsed in await jobs.FindLapsedAsync(settings.LeaseTimeout, cancellationToken))
        {
            if (lapsed is { UploadKey: { } key, UploadId: { } uploadId })
            {
                await storage.AbortAsync(key, uploadId);
            }

            if (lapsed.Attempt < settings.MaxAttempts)
            {
                if (await jobs.RequeueAsync(lapsed, settings.LeaseTimeout, cancellationToken))
                {
                    logger.LogWarning("Export {JobId} lost its worker on {Server}; running it again", lapsed.JobId, lapsed.ExecutingServer);
                    background.Enqueue<ExportRunner>(Workloads.QueueOf(WorkloadClass.Batch), runner => runner.RunAsync(lapsed.JobId, CancellationToken.None));
                    reaped++;
                }
            }
            else if (await jobs.FailAsync(lapsed.JobId, lapsed.Attempt, $"The backend running this export stopped responding ({lapsed.Attempt} attempts). Export again.", cancellationToken))
            {
                reaped++;
            }
        }

        return reaped;
    }

    /// <summary>The recurring upkeep: lapsed jobs taken over, expired ones deleted.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Reap and expire exports")]
    public async Task MaintainAsync(CancellationToken cancellationToken)
    {
        await using var run = await exclusive.TryStartAsync(RecurringJobId, cancellationToken);
        if (run is null)
        {
            return;
        }

        var reaped = await ReapAsync(cancellationToken);
        var expired = await ExpireAsync(cancellationToken);
        if (reaped + expired > 0)
        {
            logger.LogInformation("Exports upkeep: {Reaped} taken over, {Expired} expired", reaped, expired);
        }
    }

    /// <summary>Deletes jobs past their expiry, and their files.</summary>
    public async Task<int> ExpireAsync(CancellationToken cancellationToken)
    {
        var expired = await jobs.FindExpiredAsync(500, cancellationToken);
        foreach (var job in expired)
        {
            await jobs.CancelAsync(job.JobId, cancellationToken);
            StopLocal(job.JobId);
            if (job.FileKey is { } key)
            {
                await storage.DeleteAsync([key], cancellationToken);
            }

            await jobs.DeleteAsync(job.JobId, cancellationToken);
        }

        return expired.Count;
    }

    private async Task HeartbeatAsync(ExportJobRecord job, Func<long> rows, CancellationTokenSource stop)
    {
        var interval = executionOptions.Value.HeartbeatInterval;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(interval, stop.Token);
                if (!await jobs.HeartbeatAsync(job.JobId, job.Attempt, rows(), stop.Token))
                {
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The export ended.
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Export {JobId}: renewing the lease failed", job.JobId);
        }
    }

    /// <summary>Formatted text of a column: by its field's format for metric queries, as shown otherwise.</summary>
    private static Func<string, JsonElement, string> FormatterOf(QueryHistoryRecord query)
    {
        var fields = PageValueFormatter.FieldsOf(query.FieldsJson);
        return (column, value) => fields.TryGetValue(column, out var field) ? PageValueFormatter.Format(value, field) : ResultValueFormatter.Format(value);
    }
}
