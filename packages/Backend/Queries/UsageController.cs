using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.History;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries;

/// <summary>What each project and user is using now, for organisation admins.</summary>
[Route("api/v1/org/usage")]
[Tags("Usage")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
public sealed class UsageController(UsageStore usage, IOptions<QueryExecutionOptions> execution, IOptions<AuthOptions> auth) : AuthenticatedApiController
{
    /// <summary>Current use per project and per user (organisation admins).</summary>
    /// <remarks>
    /// Counted across every instance from the query history: queries executing (statements open on the
    /// warehouse) and waiting, and submissions in the last minute, beside the limits that apply. Only
    /// projects and users with such work are listed.
    /// </remarks>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The use.</response>
    /// <response code="403">The caller is not an organisation admin.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<OrganizationUsageResults>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<OrganizationUsageResults>> GetUsage(CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            throw new ForbiddenException("Only organisation admins read the organisation's usage.");
        }

        var (projects, users) = await usage.CurrentAsync(cancellationToken);
        return ApiResponse.Ok(new OrganizationUsageResults
        {
            Projects = [.. projects.Select(p => new ProjectUsageResults
            {
                ProjectUuid = p.ProjectUuid,
                Name = p.Name,
                Executing = p.Executing,
                Queued = p.Queued,
                SubmittedLastMinute = p.SubmittedLastMinute,
                MaxWarehouseStatements = p.MaxWarehouseStatements ?? execution.Value.MaxWarehouseStatementsPerProject,
                MaxSubmissionsPerMinute = p.MaxSubmissionsPerMinute ?? execution.Value.MaxSubmissionsPerMinutePerProject,
            })],
            Users = [.. users.Select(u => new UserUsageResults
            {
                UserUuid = u.UserUuid,
                Email = u.Email,
                Executing = u.Executing,
                Queued = u.Queued,
                SubmittedLastMinute = u.SubmittedLastMinute,
                MaxExecuting = auth.Value.MaxExecutingQueriesPerUser,
            })],
        });
    }
}
