using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Deliveries;

/// <summary>
/// Scheduled deliveries of a saved chart, SQL chart or dashboard: on a cron schedule (in a time zone),
/// as CSV, XLSX or Parquet, to webhooks (JSON with the file links, signed with HMAC-SHA256, retried with
/// backoff), an S3 prefix, or email. A delivery runs with its owner's access and attributes at delivery
/// time. Owners, the project's admins and organisation admins manage a scheduler; anyone else gets 404.
/// </summary>
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
public sealed class SchedulersController(SchedulerService schedulers) : AuthenticatedApiController
{
    /// <summary>Creates a scheduled delivery owned by the caller (developers and up).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">What, when, how and where.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The scheduler.</response>
    [HttpPost("api/v1/projects/{projectUuid}/schedulers")]
    [ProducesResponseType<ApiResponse<SchedulerResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
    public async Task<ApiResponse<SchedulerResults>> Create(Guid projectUuid, [FromBody] SchedulerRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await schedulers.CreateAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>The project's schedulers the caller manages (every one for project and organisation admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The schedulers.</response>
    [HttpGet("api/v1/projects/{projectUuid}/schedulers")]
    [ProducesResponseType<ApiResponse<IReadOnlyList<SchedulerResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<SchedulerResults>>> List(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await schedulers.ListAsync(Caller, projectUuid, cancellationToken));

    /// <summary>One scheduler.</summary>
    /// <param name="schedulerUuid">The scheduler.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The scheduler.</response>
    [HttpGet("api/v1/schedulers/{schedulerUuid:guid}")]
    [ProducesResponseType<ApiResponse<SchedulerResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<SchedulerResults>> Get(Guid schedulerUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await schedulers.GetAsync(Caller, schedulerUuid, cancellationToken));

    /// <summary>Changes a scheduler (every field; a webhook's secret is kept when left out for the same URL).</summary>
    /// <param name="schedulerUuid">The scheduler.</param>
    /// <param name="request">Its new settings.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The scheduler.</response>
    [HttpPut("api/v1/schedulers/{schedulerUuid:guid}")]
    [ProducesResponseType<ApiResponse<SchedulerResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<SchedulerResults>> Update(Guid schedulerUuid, [FromBody] SchedulerRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await schedulers.UpdateAsync(Caller, schedulerUuid, request, cancellationToken));

    /// <summary>Pauses (<c>enabled: false</c>) or resumes a scheduler.</summary>
    /// <param name="schedulerUuid">The scheduler.</param>
    /// <param name="request">Whether it runs.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The scheduler.</response>
    [HttpPatch("api/v1/schedulers/{schedulerUuid:guid}/enabled")]
    [ProducesResponseType<ApiResponse<SchedulerResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<SchedulerResults>> SetEnabled(Guid schedulerUuid, [FromBody] SchedulerEnabledRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await schedulers.SetEnabledAsync(Caller, schedulerUuid, request, cancellationToken));

    /// <summary>Deletes a scheduler and its delivery log.</summary>
    /// <param name="schedulerUuid">The scheduler.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Deleted.</response>
    [HttpDelete("api/v1/schedulers/{schedulerUuid:guid}")]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<string>> Delete(Guid schedulerUuid, CancellationToken cancellationToken)
    {
        await schedulers.DeleteAsync(Caller, schedulerUuid, cancellationToken);
        return ApiResponse.Ok("deleted");
    }

    /// <summary>Runs a delivery now (also of a paused scheduler); answers its id at once.</summary>
    /// <param name="schedulerUuid">The scheduler.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The delivery's id.</response>
    [HttpPost("api/v1/schedulers/{schedulerUuid:guid}/run")]
    [ProducesResponseType<ApiResponse<DeliveryStarted>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<DeliveryStarted>> RunNow(Guid schedulerUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await schedulers.RunNowAsync(Caller, schedulerUuid, cancellationToken));

    /// <summary>The scheduler's latest deliveries, newest first, with their files and every attempt to send them.</summary>
    /// <param name="schedulerUuid">The scheduler.</param>
    /// <param name="limit">At most this many deliveries (1 to 200, default 50).</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The delivery log.</response>
    [HttpGet("api/v1/schedulers/{schedulerUuid:guid}/logs")]
    [ProducesResponseType<ApiResponse<IReadOnlyList<DeliveryResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<DeliveryResults>>> Logs(Guid schedulerUuid, [FromQuery] int? limit, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await schedulers.LogsAsync(Caller, schedulerUuid, limit, cancellationToken));
}
