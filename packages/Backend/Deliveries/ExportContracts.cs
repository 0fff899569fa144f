namespace Lightdash.Net.Backend.Deliveries;

/// <summary>Asks for an export of a ready query's results, written by a background job (Lightdash's <c>schedule-download</c>).</summary>
public sealed class ScheduleDownloadRequest
{
    /// <summary><c>csv</c> (default), <c>xlsx</c>, <c>parquet</c> or <c>jsonl</c>.</summary>
    public string? Type { get; init; }

    /// <summary>True (default) for raw values; false for formatted values as shown in the app (CSV and XLSX only).</summary>
    public bool? OnlyRaw { get; init; }

    /// <summary>At most this many rows (the file says when rows were left out); absent for all (XLSX: at most 1,048,575).</summary>
    public long? Limit { get; init; }

    /// <summary>The file's name for the download, without extension (letters, digits, spaces, <c>-</c>, <c>_</c>, <c>.</c>); default the query id.</summary>
    public string? AttachmentDownloadName { get; init; }
}

/// <summary>The export job that was started.</summary>
public sealed class ScheduleDownloadResults
{
    /// <summary>The job's id: poll <c>GET /api/v1/schedulers/job/{jobId}/status</c>.</summary>
    public required Guid JobId { get; init; }
}

/// <summary>An export job: its state, progress, and once completed its file.</summary>
public sealed class ExportJobResults
{
    /// <summary>Its id.</summary>
    public required Guid JobId { get; init; }

    /// <summary>The query exported.</summary>
    public required Guid QueryUuid { get; init; }

    /// <summary><c>queued</c>, <c>running</c>, <c>completed</c>, <c>error</c> or <c>cancelled</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The format.</summary>
    public required string Type { get; init; }

    /// <summary>Rows written so far (refreshed about every heartbeat) of <c>totalRows</c>.</summary>
    public required long RowsWritten { get; init; }

    /// <summary>Rows in the result.</summary>
    public required long TotalRows { get; init; }

    /// <summary>When completed: a presigned URL of the file (valid for <c>ResultsStorage:DownloadUrlLifetime</c> from this answer).</summary>
    public string? FileUrl { get; init; }

    /// <summary>The file's name.</summary>
    public required string FileName { get; init; }

    /// <summary>When completed: the file's size in bytes.</summary>
    public long? ByteSize { get; init; }

    /// <summary>When completed: rows in the file.</summary>
    public long? RowCount { get; init; }

    /// <summary>True when rows were left out (never silently): see <c>truncatedAt</c>.</summary>
    public required bool Truncated { get; init; }

    /// <summary>The limit that left rows out (the request's <c>limit</c>, or 1,048,575 rows for one XLSX sheet).</summary>
    public long? TruncatedAt { get; init; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; init; }

    /// <summary>When it was asked for (UTC).</summary>
    public required DateTime CreatedAt { get; init; }

    /// <summary>When it finished (UTC).</summary>
    public DateTime? FinishedAt { get; init; }

    /// <summary>When it and its file are deleted (UTC).</summary>
    public required DateTime ExpiresAt { get; init; }
}
