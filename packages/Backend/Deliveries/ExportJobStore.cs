using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>An export job's row.</summary>
public sealed class ExportJobRecord
{
    /// <summary>Its id.</summary>
    public Guid JobId { get; init; }

    /// <summary>The project.</summary>
    public Guid ProjectUuid { get; init; }

    /// <summary>The query whose stored result it exports.</summary>
    public Guid QueryUuid { get; init; }

    /// <summary>Who asked for it (its only reader).</summary>
    public Guid UserUuid { get; init; }

    /// <summary><c>csv</c>, <c>xlsx</c>, <c>parquet</c> or <c>jsonl</c>.</summary>
    public string Format { get; init; } = "";

    /// <summary>Formatted values instead of raw ones.</summary>
    public bool Formatted { get; init; }

    /// <summary>The most rows asked for, or null.</summary>
    public long? RowLimit { get; init; }

    /// <summary>The file's name for the download.</summary>
    public string FileName { get; init; } = "";

    /// <summary><c>queued</c>, <c>running</c>, <c>completed</c>, <c>error</c> or <c>cancelled</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Rows in the result.</summary>
    public long TotalRows { get; init; }

    /// <summary>The file's size once completed.</summary>
    public long? ByteSize { get; init; }

    /// <summary>The file's key once completed.</summary>
    public string? FileKey { get; init; }

    /// <summary>The key of the upload in progress (so that a lapsed one can be aborted).</summary>
    public string? UploadKey { get; init; }

    /// <summary>The multipart upload id in progress.</summary>
    public string? UploadId { get; init; }

    /// <summary>True when rows were left out.</summary>
    public bool Truncated { get; init; }

    /// <summary>The limit that left them out.</summary>
    public long? TruncatedAt { get; init; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; init; }

    /// <summary>How many times a worker started it.</summary>
    public int Attempt { get; init; }

    /// <summary>The instance running it.</summary>
    public string? ExecutingServer { get; init; }

    /// <summary>When it was asked for.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTime? FinishedAt { get; init; }

    /// <summary>When it and its file are deleted.</summary>
    public DateTime ExpiresAt { get; init; }
}

/// <summary>Reads and writes <c>export_jobs</c>.</summary>
public sealed class ExportJobStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        job_id AS JobId, project_uuid AS ProjectUuid, query_uuid AS QueryUuid, user_uuid AS UserUuid, format AS Format, formatted AS Formatted,
        row_limit AS RowLimit, file_name AS FileName, status AS Status, rows_written AS RowsWritten, total_rows AS TotalRows, byte_size AS ByteSize,
        file_key AS FileKey, upload_key AS UploadKey, upload_id AS UploadId, truncated AS Truncated, truncated_at AS TruncatedAt, error AS Error,
        attempt AS Attempt, executing_server AS ExecutingServer, created_at AS CreatedAt, finished_at AS FinishedAt, expires_at AS ExpiresAt
        """;

    private const string InsertSql = """
        INSERT INTO export_jobs (job_id, project_uuid, query_uuid, user_uuid, format, formatted, row_limit, file_name, total_rows, expires_at)
        VALUES (@JobId, @ProjectUuid, @QueryUuid, @UserUuid, @Format, @Formatted, @RowLimit, @FileName, @TotalRows, @ExpiresAt)
        """;

    private const string InsertCompletedSql = """
        INSERT INTO export_jobs (job_id, project_uuid, query_uuid, user_uuid, format, formatted, row_limit, file_name, total_rows, expires_at,
                                 status, rows_written, byte_size, file_key, truncated, truncated_at, started_at, finished_at)
        VALUES (@JobId, @ProjectUuid, @QueryUuid, @UserUuid, @Format, @Formatted, @RowLimit, @FileName, @TotalRows, @ExpiresAt,
                'completed', @RowsWritten, @ByteSize, @FileKey, @Truncated, @TruncatedAt, now(), now())
        """;

    private const string ClaimSql = $"""
        UPDATE export_jobs SET status = 'running', attempt = attempt + 1, executing_server = @server, heartbeat_at = now(), rows_written = 0
        WHERE job_id = @jobId AND status = 'queued'
        RETURNING {Columns}
        """;

    // The lease is renewed only by the attempt that holds it; no row back means cancelled or taken over.
    private const string HeartbeatSql = """
        UPDATE export_jobs SET heartbeat_at = now(), rows_written = @rows
        WHERE job_id = @jobId AND attempt = @attempt AND status = 'running'
        """;

    private const string RecordUploadSql = "UPDATE export_jobs SET upload_key = @key, upload_id = @uploadId WHERE job_id = @jobId AND attempt = @attempt";

    private const string CompleteSql = """
        UPDATE export_jobs SET status = 'completed', rows_written = @Rows, byte_size = @Bytes, file_key = @FileKey, truncated = @Truncated,
               truncated_at = @TruncatedAt, finished_at = now(), upload_key = NULL, upload_id = NULL
        WHERE job_id = @JobId AND attempt = @Attempt AND status = 'running'
        """;

    private const string FailSql = """
        UPDATE export_jobs SET status = 'error', error = @error, finished_at = now(), upload_key = NULL, upload_id = NULL
        WHERE job_id = @jobId AND (@attempt IS NULL OR attempt = @attempt) AND status IN ('queued', 'running')
        """;

    private const string CancelSql = """
        UPDATE export_jobs SET status = 'cancelled', finished_at = now() WHERE job_id = @jobId AND status IN ('queued', 'running')
        """;

    private const string LapsedSql = $"""
        SELECT {Columns} FROM export_jobs
        WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => @leaseSeconds)
        """;

    private const string RequeueSql = """
        UPDATE export_jobs SET status = 'queued', executing_server = NULL, upload_key = NULL, upload_id = NULL
        WHERE job_id = @jobId AND attempt = @attempt AND status = 'running' AND heartbeat_at < now() - make_interval(secs => @leaseSeconds)
        """;

    private const string ExpiredSql = $"SELECT {Columns} FROM export_jobs WHERE expires_at <= now() LIMIT @limit";

    /// <summary>Records a new queued job.</summary>
    public async Task CreateAsync(ExportJobRecord job, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertSql, job, cancellationToken: cancellationToken));
    }

    /// <summary>Records a file exported outside a job (a delivery's), so that it expires and is deleted like a job's.</summary>
    public async Task RecordCompletedAsync(ExportJobRecord job, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertCompletedSql, job, cancellationToken: cancellationToken));
    }

    /// <summary>The user's job, or null (also when it is someone else's).</summary>
    public async Task<ExportJobRecord?> FindAsync(Guid jobId, Guid? userUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ExportJobRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM export_jobs WHERE job_id = @jobId AND (@userUuid IS NULL OR user_uuid = @userUuid)", new { jobId, userUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>Takes a queued job for this worker; null when it is not queued (cancelled, or taken).</summary>
    public async Task<ExportJobRecord?> ClaimAsync(Guid jobId, string server, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ExportJobRecord>(new CommandDefinition(ClaimSql, new { jobId, server }, cancellationToken: cancellationToken));
    }

    /// <summary>Renews the lease and records progress; false when the job was cancelled or taken over.</summary>
    public async Task<bool> HeartbeatAsync(Guid jobId, int attempt, long rows, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(HeartbeatSql, new { jobId, attempt, rows }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Records the multipart upload in progress.</summary>
    public async Task RecordUploadAsync(Guid jobId, int attempt, string key, string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(RecordUploadSql, new { jobId, attempt, key, uploadId }, cancellationToken: cancellationToken));
    }

    /// <summary>Marks the attempt completed with its file; false when it no longer held the job.</summary>
    public async Task<bool> CompleteAsync(Guid jobId, int attempt, string fileKey, long rows, long bytes, bool truncated, long? truncatedAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(CompleteSql, new
        {
            JobId = jobId, Attempt = attempt, FileKey = fileKey, Rows = rows, Bytes = bytes, Truncated = truncated, TruncatedAt = truncatedAt,
        }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Marks the job failed (by this attempt, or any when <paramref name="attempt"/> is null); false when it had finished.</summary>
    public async Task<bool> FailAsync(Guid jobId, int? attempt, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(FailSql, new { jobId, attempt, error }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Cancels a queued or running job; false when it had finished.</summary>
    public async Task<bool> CancelAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(CancelSql, new { jobId }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Running jobs whose worker stopped renewing the lease.</summary>
    public async Task<IReadOnlyList<ExportJobRecord>> FindLapsedAsync(TimeSpan leaseTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ExportJobRecord>(new CommandDefinition(LapsedSql, new { leaseSeconds = leaseTimeout.TotalSeconds }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Puts a lapsed job back in the queue; false when its worker renewed the lease meanwhile.</summary>
    public async Task<bool> RequeueAsync(ExportJobRecord job, TimeSpan leaseTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            RequeueSql, new { jobId = job.JobId, attempt = job.Attempt, leaseSeconds = leaseTimeout.TotalSeconds }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Jobs past their expiry.</summary>
    public async Task<IReadOnlyList<ExportJobRecord>> FindExpiredAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ExportJobRecord>(new CommandDefinition(ExpiredSql, new { limit }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Deletes a job's row.</summary>
    public async Task DeleteAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM export_jobs WHERE job_id = @jobId", new { jobId }, cancellationToken: cancellationToken));
    }
}
