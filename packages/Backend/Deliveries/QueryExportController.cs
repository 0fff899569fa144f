using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>Exports of a ready query's results as background jobs (any size, more formats than the synchronous download).</summary>
[Tags("Query")]
public sealed class QueryExportController(
    ExportService exports) : QueryRouteController
{
    /// <summary>Starts an export of a ready query's results as a background job; answers its job id at once.</summary>
    /// <remarks>
    /// A worker on any instance streams the stored result into a file in S3: <c>csv</c> (RFC 4180,
    /// UTF-8; formatted values with <c>onlyRaw: false</c>), <c>xlsx</c> (typed cells, streamed; one sheet holds
    /// 1,048,576 rows, and a longer result is reported <c>truncated</c>), <c>parquet</c> (typed columns, exact
    /// decimals, timestamps) or <c>jsonl</c>. Poll <c>GET /api/v1/schedulers/job/{jobId}/status</c> for its
    /// progress and, once completed, a presigned <c>fileUrl</c>. The job belongs to the caller; it is
    /// deleted with its query, or after <c>Exports:FileLifetime</c> (24 hours).
    /// </remarks>
    /// <param name="projectUuid">The project the query ran on.</param>
    /// <param name="queryUuid">The query's id.</param>
    /// <param name="request">The format and options.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The job's id.</response>
    /// <response code="400">The type, limit or file name is invalid.</response>
    /// <response code="404">The project or the query does not exist.</response>
    /// <response code="409">The query is not ready, or no results storage is configured.</response>
    [HttpPost("{queryUuid}/schedule-download")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ScheduleDownloadResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<ScheduleDownloadResults>> ScheduleDownload(
        Guid projectUuid, Guid queryUuid, [FromBody] ScheduleDownloadRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await exports.ScheduleAsync(Caller, projectUuid, queryUuid, request, cancellationToken));
}
