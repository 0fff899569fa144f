using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Access;

/// <summary>Projects the caller can see, and who may do what in them.</summary>
[Route("api/v1/projects")]
public sealed class ProjectsController(ProjectService projects) : AuthenticatedApiController
{
    /// <summary>The projects the caller is a member of (every project for organisation admins).</summary>
    /// <remarks>Warehouse credentials are never returned.</remarks>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The projects and the caller's role in each.</response>
    /// <response code="401">No valid token.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<IReadOnlyList<ProjectResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<ProjectResults>>> List(CancellationToken cancellationToken) =>
        ApiResponse.Ok(await projects.ListAsync(Caller, cancellationToken));

    /// <summary>Create a project (organisation admins).</summary>
    /// <remarks>The caller becomes its admin. The connection string is stored and never returned.</remarks>
    /// <param name="request">Its name and warehouse.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The project.</response>
    /// <response code="400">A field is missing or invalid.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not an organisation admin.</response>
    [HttpPost]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ProjectResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
    public async Task<ApiResponse<ProjectResults>> Create([FromBody] CreateProjectRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await projects.CreateAsync(Caller, request, cancellationToken));

    /// <summary>Change a project (project admins; its connection string: organisation admins).</summary>
    /// <remarks>
    /// A new connection string is tried first: a login that is a superuser or may reach the server's files,
    /// or a connection to the metadata database, is refused (400). Projects declared in configuration are
    /// written again at every start, so configuration wins for those.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="request">The fields to change.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The project.</response>
    /// <response code="400">A field is invalid.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not an admin of the project.</response>
    /// <response code="404">The project does not exist.</response>
    [HttpPatch("{projectUuid}")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ProjectResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    public async Task<ApiResponse<ProjectResults>> Update(Guid projectUuid, [FromBody] UpdateProjectRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await projects.UpdateAsync(Caller, projectUuid, request, cancellationToken));

    /// <summary>Delete a project (organisation admins).</summary>
    /// <remarks>
    /// Its running queries are cancelled; its queries, stored results, exports, saved charts, SQL charts,
    /// dashboards and memberships are removed. A project declared in configuration comes back at the next start.
    /// </remarks>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200"><c>deleted</c>.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not an organisation admin.</response>
    /// <response code="404">The project does not exist (or the caller is not a member of it).</response>
    [HttpDelete("{projectUuid}")]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    public async Task<ApiResponse<string>> Delete(Guid projectUuid, CancellationToken cancellationToken)
    {
        await projects.DeleteAsync(Caller, projectUuid, cancellationToken);
        return ApiResponse.Ok("deleted");
    }

    /// <summary>One project.</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The project and the caller's role.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not a member.</response>
    /// <response code="404">The project does not exist.</response>
    [HttpGet("{projectUuid}")]
    [ProducesResponseType<ApiResponse<ProjectResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    public async Task<ApiResponse<ProjectResults>> Get(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await projects.GetAsync(Caller, projectUuid, cancellationToken));

    /// <summary>The project's members (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The members and their roles.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not an admin of the project.</response>
    /// <response code="404">The project does not exist.</response>
    [HttpGet("{projectUuid}/access")]
    [ProducesResponseType<ApiResponse<IReadOnlyList<ProjectMemberResults>>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    public async Task<ApiResponse<IReadOnlyList<ProjectMemberResults>>> ListMembers(Guid projectUuid, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await projects.ListMembersAsync(Caller, projectUuid, cancellationToken));

    /// <summary>Add a user to the project, or change their role (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="userUuid">The user.</param>
    /// <param name="request">The role.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The member.</response>
    /// <response code="400">The role is not viewer, developer or admin.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not an admin of the project.</response>
    /// <response code="404">The project or the user does not exist.</response>
    [HttpPut("{projectUuid}/access/{userUuid}")]
    [Consumes("application/json")]
    [ProducesResponseType<ApiResponse<ProjectMemberResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    public async Task<ApiResponse<ProjectMemberResults>> SetRole(Guid projectUuid, Guid userUuid, [FromBody] SetProjectRoleRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await projects.SetRoleAsync(Caller, projectUuid, userUuid, request, cancellationToken));

    /// <summary>Remove a user from the project (project admins).</summary>
    /// <param name="projectUuid">The project.</param>
    /// <param name="userUuid">The user.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Removed.</response>
    /// <response code="401">No valid token.</response>
    /// <response code="403">The caller is not an admin of the project.</response>
    /// <response code="404">The project does not exist, or the user is not a member.</response>
    [HttpDelete("{projectUuid}/access/{userUuid}")]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    public async Task<ApiResponse<string>> RemoveMember(Guid projectUuid, Guid userUuid, CancellationToken cancellationToken)
    {
        await projects.RemoveMemberAsync(Caller, projectUuid, userUuid, cancellationToken);
        return ApiResponse.Ok("removed");
    }
}
