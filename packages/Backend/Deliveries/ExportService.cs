using System.Text.RegularExpressions;
using Hangfire;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Lightdash.Net.Backend.Queries.Execution;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>
/// Export jobs: a ready query's stored result written as a file by a worker on any instance. The job
/// is owned by its creator (404 for anyone else), reports its progress, can be cancelled, and is
/// deleted with its query or when it expires.
/// </summary>
public sealed partial class ExportService(
    ProjectAccess access,
    AsyncQueryService queries,
    ExportJobStore jobs,
    IResultsStore results,
    ResultsBucketClient storage,
    IBackgroundJobClient background,
    IOptions<ExportsOptions> options,
    IOptions<ResultsStorageOptions> storageOptions,
    ILogger<ExportService> logger)
{
    /// <summary>Starts an export of the caller's ready query; answers its job id at once.</summary>
    public async Task<ScheduleDownloadResults> ScheduleAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, ScheduleDownloadRequest request, CancellationToken cancellationToken)
    {
        var format = ExportFormats.Parse(string.IsNullOrWhiteSpace(request.Type) ? "csv" : request.Type)
            ?? throw new ValidationException($"type must be one of {string.Join(", ", ExportFormats.Names)} (got \"{request.Type}\").");
        var formatted = request.OnlyRaw == false;
        if (formatted && format is ExportFormat.Parquet or ExportFormat.Jsonl)
        {
            throw new ValidationException($"onlyRaw=false (formatted values) applies to csv and xlsx; {format.NameOf()} keeps typed raw values.");
        }

        if (request.Limit is < 1)
        {
            throw new ValidationException($"limit must be 1 or more (got {request.Limit}); leave it out for all rows.");
        }

        var name = request.AttachmentDownloadName?.Trim();
        if (name is not null && (name.Length == 0 || name.Length > options.Value.MaxFileNameLength || !FileNamePattern().IsMatch(name)))
        {
            throw new ValidationException(
                $"attachmentDownloadName must be 1 to {options.Value.MaxFileNameLength} letters, digits, spaces, '-', '_' or '.' (without the extension).");
        }

        var query = await queries.GetReadyQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        if (!results.HasFiles)
        {
            throw new ConflictException("Exports need results storage (S3), and none is configured.");
        }

        var job = new ExportJobRecord
        {
            JobId = Guid.NewGuid(),
            ProjectUuid = projectUuid,
            QueryUuid = queryUuid,
            UserUuid = user.UserUuid,
            Format = format.NameOf(),
            Formatted = formatted,
            RowLimit = request.Limit,
            FileName = $"{name ?? queryUuid.ToString()}.{format.NameOf()}",
            TotalRows = query.TotalRowCount ?? 0,
            ExpiresAt = DateTime.UtcNow.Add(options.Value.FileLifetime),
        };
        await jobs.CreateAsync(job, cancellationToken);
        background.Enqueue<ExportRunner>(Workloads.QueueOf(WorkloadClass.Batch), runner => runner.RunAsync(job.JobId, CancellationToken.None));
        logger.LogInformation("Export {JobId} of query {QueryUuid} as {Format} queued", job.JobId, queryUuid, job.Format);
        return new ScheduleDownloadResults { JobId = job.JobId };
    }

    /// <summary>The caller's job: status, progress and, once completed, a fresh presigned link.</summary>
    public async Task<ExportJobResults> GetAsync(CurrentUser user, Guid jobId, CancellationToken cancellationToken)
    {
        var job = await OwnJobAsync(user, jobId, cancellationToken);
        string? url = null;
        if (job is { Status: "completed", FileKey: { } key })
        {
            var expires = DateTime.UtcNow.Add(storageOptions.Value.DownloadUrlLifetime);
            url = await ExportLinks.PresignAsync(
                storage, key, ExportFormats.Parse(job.Format)!.Value, job.FileName, expires < job.ExpiresAt ? expires : DateTime.SpecifyKind(job.ExpiresAt, DateTimeKind.Utc));
        }

        return Results(job, url);
    }

    /// <summary>Cancels the caller's queued or running job (a running one stops within a heartbeat, its upload aborted); 409 once finished.</summary>
    public async Task<ExportJobResults> CancelAsync(CurrentUser user, Guid jobId, CancellationToken cancellationToken)
    {
        var job = await OwnJobAsync(user, jobId, cancellationToken);
        if (!await jobs.CancelAsync(jobId, cancellationToken))
        {
            throw new ConflictException($"Export {jobId} is already {job.Status}; only a queued or running export can be cancelled.");
        }

        ExportRunner.StopLocal(jobId);
        logger.LogInformation("Export {JobId} cancelled", jobId);
        return Results((await jobs.FindAsync(jobId, user.UserUuid, cancellationToken))!, null);
    }

    // The creator's job while they are still a member of its project: a removed member's links are not renewed.
    private async Task<ExportJobRecord> OwnJobAsync(CurrentUser user, Guid jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(jobId, user.UserUuid, cancellationToken);
        return job is not null && await access.HasRoleAsync(user, job.ProjectUuid, ProjectRole.Viewer, cancellationToken)
            ? job
            : throw new NotFoundException($"Export job {jobId} does not exist.");
    }

    private static ExportJobResults Results(ExportJobRecord job, string? url) => new()
    {
        JobId = job.JobId,
        QueryUuid = job.QueryUuid,
        Status = job.Status,
        Type = job.Format,
        RowsWritten = job.RowsWritten,
        TotalRows = job.TotalRows,
        FileUrl = url,
        FileName = job.FileName,
        ByteSize = job.ByteSize,
        RowCount = job.Status == "completed" ? job.RowsWritten : null,
        Truncated = job.Truncated,
        TruncatedAt = job.TruncatedAt,
        Error = job.Error,
        CreatedAt = DateTime.SpecifyKind(job.CreatedAt, DateTimeKind.Utc),
        FinishedAt = job.FinishedAt is { } finished ? DateTime.SpecifyKind(finished, DateTimeKind.Utc) : null,
        ExpiresAt = DateTime.SpecifyKind(job.ExpiresAt, DateTimeKind.Utc),
    };

    [GeneratedRegex(@"^[\p{L}\p{N} ._-]+$")]
    private static partial Regex FileNamePattern();
}
