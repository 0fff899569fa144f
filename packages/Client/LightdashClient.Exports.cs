using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lightdash.Net.Client;

public sealed partial class LightdashClient
{
    /// <summary>Starts an export of a ready query's results as a background job (<c>csv</c>, <c>xlsx</c>, <c>parquet</c>, <c>jsonl</c>); answers its id at once.</summary>
    public async Task<Guid> ScheduleDownloadAsync(Guid projectUuid, Guid queryUuid, string format = "csv", long? limit = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["type"] = format, ["limit"] = limit };
        var results = await SendAsync(HttpMethod.Post, $"{Project(projectUuid)}/{queryUuid}/schedule-download", body, cancellationToken).ConfigureAwait(false);
        return results.GetProperty("jobId").GetGuid();
    }

    /// <summary>An export job's state.</summary>
    public async Task<ExportJob> GetExportJobAsync(Guid jobId, CancellationToken cancellationToken = default) =>
        ExportJob.Of(await SendAsync(HttpMethod.Get, $"api/v1/schedulers/job/{jobId}/status", null, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Waits for an export job to complete, then copies its file into <paramref name="destination"/> as it
    /// downloads (nothing is buffered whole); returns the job.
    /// </summary>
    /// <exception cref="LightdashApiException">The job failed or was cancelled.</exception>
    /// <exception cref="TimeoutException">It did not complete within <paramref name="timeout"/>.</exception>
    public async Task<ExportJob> DownloadExportAsync(Guid jobId, Stream destination, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var job = await WaitForExportAsync(jobId, timeout, cancellationToken).ConfigureAwait(false);
        // The link is presigned for the storage, not for this API: no token goes with it.
        using var plain = new HttpRequestMessage(HttpMethod.Get, job.FileUrl);
        using var response = await _downloads.Value.SendAsync(plain, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new LightdashApiException(response.StatusCode, "DownloadError", $"The export's file answered {(int)response.StatusCode}.");
        }

        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        return job;
    }

    /// <summary>Cancels an export job.</summary>
    public Task CancelExportJobAsync(Guid jobId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/schedulers/job/{jobId}/cancel", null, cancellationToken);

    /// <summary>The project's schedulers, each as the API shows it.</summary>
    public async Task<IReadOnlyList<JsonElement>> ListSchedulersAsync(Guid projectUuid, CancellationToken cancellationToken = default)
    {
        var results = await SendAsync(HttpMethod.Get, $"api/v1/projects/{projectUuid}/schedulers", null, cancellationToken).ConfigureAwait(false);
        return [.. results.EnumerateArray().Select(s => s.Clone())];
    }

    /// <summary>
    /// Creates a scheduler: <c>{name, resourceType ("chart", "sqlChart", "dashboard"), resourceUuid, cron,
    /// timezone, format, targets: [{type: "webhook"|"s3"|"email", ...}], enabled}</c>; answers it with its id.
    /// </summary>
    public Task<JsonElement> CreateSchedulerAsync(Guid projectUuid, object scheduler, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/projects/{projectUuid}/schedulers", scheduler, cancellationToken);

    /// <summary>Runs a scheduler now (a delivery outside its schedule).</summary>
    public Task<JsonElement> RunSchedulerAsync(Guid schedulerUuid, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/schedulers/{schedulerUuid}/run", null, cancellationToken);

    /// <summary>Deletes a scheduler.</summary>
    public Task DeleteSchedulerAsync(Guid schedulerUuid, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/schedulers/{schedulerUuid}", null, cancellationToken);

    private async Task<ExportJob> WaitForExportAsync(Guid jobId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var job = await GetExportJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            switch (job.Status)
            {
                case "completed" when job.FileUrl is not null:
                    return job;
                case "error" or "cancelled":
                    throw new LightdashApiException(System.Net.HttpStatusCode.OK, "ExportFailed", job.Error ?? $"Export {jobId} ended {job.Status}.");
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new TimeoutException($"Export {jobId} is still {job.Status} after {timeout.TotalSeconds:0.#} s.");
            }

            // The job's status route does not long-poll: back off from 100 ms to 2 s between looks.
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(2000, delay.TotalMilliseconds * 2));
        }
    }
}
