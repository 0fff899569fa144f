using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>Background jobs started by a request (exports from <c>schedule-download</c>), as Lightdash's <c>/schedulers/job</c> routes.</summary>
[Route("api/v1/schedulers/job")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class SchedulerJobsController(ExportService exports) : AuthenticatedApiController
{
    /// <summary>An export job's status and progress; once completed, a presigned link to its file.</summary>
    /// <param name="jobId">The job's id from <c>schedule-download</c>.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The job.</response>
    /// <response code="404">No such job of the caller's.</response>
    [HttpGet("{jobId:guid}/status")]
    [ProducesResponseType<ApiResponse<ExportJobResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<ExportJobResults>> Status(Guid jobId, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await exports.GetAsync(Caller, jobId, cancellationToken));

    /// <summary>Cancels a queued or running export job: its worker stops and its upload is aborted.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Cancelled.</response>
    /// <response code="404">No such job of the caller's.</response>
    /// <response code="409">It had finished already.</response>
    [HttpPost("{jobId:guid}/cancel")]
    [ProducesResponseType<ApiResponse<ExportJobResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<ExportJobResults>> Cancel(Guid jobId, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await exports.CancelAsync(Caller, jobId, cancellationToken));
}
